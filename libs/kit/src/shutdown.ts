import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';

export interface ShutdownOptions {
  logger: Logger;
  /**
   * After this the process exits 1 whatever the close function is doing: the service's
   * drain (drainBudgetMs), which its pod's terminationGracePeriodSeconds must exceed.
   */
  delayMs?: number;
}

/** The drain of a service that declares none: a handler's few store writes, with room to spare. */
export const DEFAULT_DRAIN_MS = 25_000;

/** What bounds a service's drain: the longest call a unit of work can be in when SIGTERM comes. */
export interface DrainBudget {
  /** The longest single outbound call (provider request, callback POST, store write), in ms. */
  longestCallMs: number;
  /** Calls made one after another within one unit of work (each up to longestCallMs). Default 1. */
  sequentialCalls?: number;
  /** Waits between those calls (backoff), in total. */
  backoffMs?: number;
  /** Time to record the outcome and ack once the call returns, plus slack. Default 10 s. */
  marginMs?: number;
}

/**
 * How long shutdown may take so that work under way when SIGTERM arrives finishes and is
 * acknowledged: a scale-down or a rollout then loses nothing and repeats nothing.
 */
export function drainBudgetMs(b: DrainBudget): number {
  return b.longestCallMs * (b.sequentialCalls ?? 1) + (b.backoffMs ?? 0) + (b.marginMs ?? 10_000);
}

/**
 * terminationGracePeriodSeconds for a drain: the preStop pause, then the drain, then a few
 * seconds for the exit itself, so SIGKILL never cuts a clean shutdown.
 */
export function graceSeconds(drainMs: number, preStopS = 0): number {
  return Math.ceil(drainMs / 1000) + preStopS + 5;
}

export interface ShutdownContext {
  /** `SIGTERM`, `SIGINT`, `uncaughtException`, `manual`, … */
  reason: string;
  /** The error that triggered the shutdown, if any. */
  err?: Error;
}

export interface ShutdownHandle {
  /** Aborted (with the reason) the moment shutdown starts: stop loops, refuse new work. */
  signal: AbortSignal;
  /** Starts the shutdown from code (exits 0 when done). */
  close(): void;
  /** Removes the process listeners (tests). */
  uninstall(): void;
}

/**
 * Installs the process's single shutdown path. SIGTERM/SIGINT, an uncaught exception
 * or an unhandled rejection run `close` once, then the process exits: 0 after a
 * signal, 1 after an error or when `close` throws or overruns `delayMs`. A second
 * signal while closing exits 1 at once.
 */
export function onShutdown(opts: ShutdownOptions, close: (ctx: ShutdownContext) => Promise<void>): ShutdownHandle {
  const { logger } = opts;
  const controller = new AbortController();
  let running: Promise<void> | undefined;

  const run = (ctx: ShutdownContext): Promise<void> => {
    running ??= (async () => {
      if (ctx.err) logger.fatal({ err: ctx.err, reason: ctx.reason }, `shutting down after ${ctx.reason}`);
      else logger.info({ reason: ctx.reason }, `shutting down (${ctx.reason})`);
      controller.abort(ctx.reason);
      const started = Date.now();
      await close(ctx);
      logger.info({ reason: ctx.reason, ms: Date.now() - started }, 'shutdown complete');
    })();
    return running;
  };

  const grace = closeWithGrace(
    {
      delay: opts.delayMs ?? DEFAULT_DRAIN_MS,
      logger: false,
      onSecondSignal: (signal) => logger.error({ signal }, `second ${signal} while shutting down, exiting now`),
      onSecondError: (err) => logger.error({ err }, 'another error while shutting down, exiting now'),
      onTimeout: (delay) => logger.error({ delay_ms: delay }, `shutdown did not finish within ${delay} ms, exiting`),
    },
    async ({ signal, err, manual }) => {
      try {
        await run({
          reason: signal ?? (err ? errorKind(err) : manual ? 'manual' : 'beforeExit'),
          ...(err ? { err } : {}),
        });
      } catch (closeErr) {
        logger.error({ err: closeErr }, 'shutdown failed');
        throw closeErr;
      }
    },
  );

  return { signal: controller.signal, close: () => grace.close(), uninstall: () => grace.uninstall() };
}

function errorKind(err: Error): string {
  return err instanceof Error ? `uncaught error (${err.name})` : 'unhandled rejection';
}
