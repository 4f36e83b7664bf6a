import CircuitBreaker from 'opossum';
import { ProviderError } from '../provider-error.js';
import type { BreakerChangeListener, BreakerName, BreakerState, BreakerView } from '../provider-port.js';
import type { ProviderLogger } from '../logger.js';

export interface BreakerConfig {
  /** opossum's own deadline for one call; a safety net above the HTTP request timeout. */
  timeoutMs: number;
  errorThresholdPercentage: number;
  resetTimeoutMs: number;
  /** Calls in the rolling window before the error percentage may open the breaker. */
  volumeThreshold: number;
  rollingCountTimeoutMs: number;
  /**
   * Breakers whose calls the transport's own deadline alone bounds: opossum starts no timer
   * for them (one per call, thousands a second for status calls), and the call takes no
   * abort signal of the breaker's. They still open on failures, timeouts included.
   */
  untimed?: readonly BreakerName[];
}

export const BREAKER_NAMES = ['submit', 'status', 'upload', 'balance'] as const satisfies readonly BreakerName[];

type Task = (signal: AbortSignal | undefined) => Promise<unknown>;
type Breaker = CircuitBreaker<[Task, AbortSignal | undefined], unknown>;

export interface BreakerSet {
  run<T>(
    name: BreakerName,
    task: (signal: AbortSignal | undefined) => Promise<T>,
    callerSignal?: AbortSignal,
  ): Promise<T>;
  views(): BreakerView[];
  onChange(listener: BreakerChangeListener): () => void;
  shutdown(): void;
}

/** Only provider-health failures count; business outcomes pass through as opossum "successes". */
export function countsAsBreakerFailure(err: unknown): boolean {
  if (err instanceof ProviderError) return err.providerFault;
  return (err as { code?: unknown } | null)?.code === 'ETIMEDOUT';
}

export function createBreakerSet(config: BreakerConfig, logger: ProviderLogger, prefix = 'pixverse'): BreakerSet {
  const listeners = new Set<BreakerChangeListener>();
  const breakers = new Map<BreakerName, Breaker>();

  const notify = (name: BreakerName, state: BreakerState): void => {
    const log = state === 'open' ? logger.warn.bind(logger) : logger.info.bind(logger);
    log({ breaker: `${prefix}.${name}`, state }, `circuit breaker ${prefix}.${name} is ${state}`);
    for (const listener of listeners) {
      try {
        listener(name, state);
      } catch (err) {
        // A metrics or consumer hook must never break a provider call.
        logger.error({ breaker: name, err }, 'breaker listener threw');
      }
    }
  };

  const untimed = new Set(config.untimed ?? []);
  for (const name of BREAKER_NAMES) {
    const breaker = new CircuitBreaker<[Task, AbortSignal | undefined], unknown>((task, signal) => task(signal), {
      name: `${prefix}.${name}`,
      timeout: untimed.has(name) ? false : config.timeoutMs,
      errorThresholdPercentage: config.errorThresholdPercentage,
      resetTimeout: config.resetTimeoutMs,
      volumeThreshold: config.volumeThreshold,
      rollingCountTimeout: config.rollingCountTimeoutMs,
      errorFilter: (err: unknown) => !countsAsBreakerFailure(err),
      // Nothing listens for opossum's snapshot of the window, emitted every bucket (one a
      // second), each a copy and sort of the window's latencies: thousands at the poller's rate.
      enableSnapshots: false,
    });
    breaker.on('open', () => notify(name, 'open'));
    breaker.on('halfOpen', () => notify(name, 'half_open'));
    breaker.on('close', () => notify(name, 'closed'));
    breakers.set(name, breaker);
  }

  const get = (name: BreakerName): Breaker => {
    const breaker = breakers.get(name);
    if (!breaker) throw new Error(`no breaker ${name}`);
    return breaker;
  };

  async function run<T>(
    name: BreakerName,
    task: (signal: AbortSignal | undefined) => Promise<T>,
    callerSignal?: AbortSignal,
  ): Promise<T> {
    const breaker = get(name);
    if (untimed.has(name)) {
      try {
        return (await breaker.fire(task as Task, callerSignal)) as T;
      } catch (err) {
        throw translate(name, err, config);
      }
    }
    const controller = new AbortController();
    const signal = callerSignal ? AbortSignal.any([controller.signal, callerSignal]) : controller.signal;
    try {
      return (await breaker.fire(task as Task, signal)) as T;
    } catch (err) {
      controller.abort(); // opossum's timeout does not stop the request; this does
      throw translate(name, err, config);
    }
  }

  return {
    run,
    views: () => BREAKER_NAMES.map((name) => view(name, get(name))),
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    shutdown() {
      listeners.clear();
      for (const breaker of breakers.values()) breaker.shutdown();
    },
  };
}

function stateOf(breaker: Breaker): BreakerState {
  if (breaker.opened) return 'open';
  if (breaker.halfOpen) return 'half_open';
  return 'closed';
}

function view(name: BreakerName, breaker: Breaker): BreakerView {
  const s = breaker.stats;
  return {
    name,
    state: stateOf(breaker),
    stats: {
      fires: s.fires,
      successes: s.successes,
      failures: s.failures,
      rejects: s.rejects,
      timeouts: s.timeouts,
      latencyMean: s.latencyMean,
    },
  };
}

/** opossum's own errors (open, timeout, shutdown) become ProviderErrors; ours pass through. */
function translate(name: BreakerName, err: unknown, config: BreakerConfig): unknown {
  if (err instanceof ProviderError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const details = { breaker: name };
  if (code === 'EOPENBREAKER') {
    return new ProviderError('circuit_open', `pixverse ${name} circuit is open; failing fast`, {
      details,
      providerFault: false,
    });
  }
  if (code === 'ETIMEDOUT') {
    return new ProviderError('timeout', `pixverse ${name} call exceeded ${config.timeoutMs} ms`, {
      cause: err,
      details,
    });
  }
  if (code === 'ESHUTDOWN') {
    return new ProviderError('unavailable', 'the pixverse client is closed', {
      cause: err,
      details,
      providerFault: false,
    });
  }
  return err;
}
