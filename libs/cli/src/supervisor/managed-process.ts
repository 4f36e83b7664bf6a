import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import { ProcessStartError } from './errors.js';
import type { LogSink } from './log-sink.js';
import { waitUntilReady, type ReadyCheck } from './ready-check.js';
import { formatDelay, restartDelay, type RestartPolicy } from './restart-policy.js';

export type ProcessState = 'starting' | 'ready' | 'backoff' | 'stopping' | 'stopped' | 'failed';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  ready: ReadyCheck;
}

/** What the handle shows of a child; live values. */
export interface ProcessView {
  readonly name: string;
  readonly pid: number | undefined;
  readonly state: ProcessState;
  readonly restarts: number;
  /** The output line that announced readiness, for children that print their address. */
  readonly readyLine: RegExpMatchArray | null;
  /** Last lines of output, for error messages. */
  tail(): string[];
}

const TAIL_LINES = 30;

/** One supervised child: spawn, forward output, probe readiness, restart with backoff, stop. */
export class ManagedProcess extends EventEmitter implements ProcessView {
  state: ProcessState = 'stopped';
  restarts = 0;
  readyLine: RegExpMatchArray | null = null;
  private child: ChildProcess | null = null;
  private startedAt = 0;
  private crashes = 0;
  private everReady = false;
  private holdOnExit = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly lastLines: string[] = [];
  private lastExit = 'still running';

  constructor(
    private spec: ProcessSpec,
    private readonly policy: RestartPolicy,
    private readonly sink: LogSink,
  ) {
    super();
  }

  get name(): string {
    return this.spec.name;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  tail(): string[] {
    return [...this.lastLines];
  }

  /** `env` changes the settings of this start and of every restart after it. */
  start(opts: { env?: Record<string, string> } = {}): void {
    if (this.child || this.state === 'starting') return;
    if (opts.env) this.spec = { ...this.spec, env: { ...this.spec.env, ...opts.env } };
    clearTimeout(this.timer);
    this.holdOnExit = false;
    // Own process group: a terminal's Ctrl-C reaches only the supervisor, which then
    // stops the children in order (services first, infrastructure last).
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    this.startedAt = Date.now();
    this.setState('starting');
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: child[stream]!, crlfDelay: Infinity }).on('line', (raw) => this.onLine(raw, stream));
    }
    child.once('error', (err) => this.sink.supervisor('error', `${this.name} could not start: ${err.message}`));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    if ('url' in this.spec.ready) void this.probe(child, this.spec.ready.url);
  }

  /** Sends `signal`; resolves once the process is gone. The supervisor restarts it unless `restart` is false. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', opts: { restart?: boolean } = {}): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.holdOnExit = opts.restart === false;
    const exited = once(child, 'exit');
    this.signal(child, signal);
    await exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; never restarts. */
  async stop(graceMs: number): Promise<void> {
    clearTimeout(this.timer);
    const child = this.child;
    if (!child) {
      if (this.state !== 'failed') this.setState('stopped');
      return;
    }
    this.setState('stopping');
    const exited = once(child, 'exit');
    this.signal(child, 'SIGTERM');
    const force = setTimeout(() => {
      this.sink.supervisor('warn', `${this.name} did not stop within ${formatDelay(graceMs)}; killing it`);
      this.signal(child, 'SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(force);
  }

  /** For process 'exit': no time left to wait, so no grace. */
  killNow(): void {
    clearTimeout(this.timer);
    if (this.child) this.signal(this.child, 'SIGKILL');
  }

  waitReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (this.state === 'ready') resolve();
        else if (this.state === 'failed')
          reject(this.startError(`it exited and will not be restarted (${this.lastExit})`));
        else if (this.state === 'stopped') reject(this.startError('it was stopped'));
        else return false;
        return true;
      };
      if (check()) return;
      const listener = (): void => {
        if (check()) cleanup();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(this.startError(`it was not ready within ${formatDelay(timeoutMs)} (state: ${this.state})`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('state', listener);
      };
      this.on('state', listener);
    });
  }

  private startError(why: string): ProcessStartError {
    const tail = this.lastLines
      .slice(-15)
      .map((l) => `  ${l}`)
      .join('\n');
    return new ProcessStartError(this.name, `${this.name}: ${why}${tail ? `; its last output:\n${tail}` : ''}`);
  }

  private setState(state: ProcessState): void {
    this.state = state;
    this.emit('state', state);
  }

  private signal(child: ChildProcess, signal: NodeJS.Signals): void {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      child.kill(signal);
    }
  }

  private onLine(raw: string, stream: 'stdout' | 'stderr'): void {
    this.lastLines.push(raw);
    if (this.lastLines.length > TAIL_LINES) this.lastLines.shift();
    this.sink.child(this.name, raw, stream);
    const ready = this.spec.ready;
    if (this.state === 'starting' && 'line' in ready) {
      const match = ready.line.exec(raw);
      if (match) this.markReady(match);
    }
  }

  private async probe(child: ChildProcess, url: string): Promise<void> {
    const live = (): boolean => this.child === child && this.state === 'starting';
    if (await waitUntilReady(url, live, undefined, child.pid)) this.markReady(null);
  }

  private markReady(match: RegExpMatchArray | null): void {
    this.readyLine = match ?? this.readyLine;
    // Crashes are forgiven once a child stays up stableAfterMs, not when it reports ready:
    // a child that gets ready and dies seconds later is a crash loop, and backs off as one.
    const again = this.everReady;
    this.everReady = true;
    this.setState('ready');
    this.sink.supervisor(
      'info',
      again ? `${this.name} ready again (restart ${this.restarts})` : `${this.name} ready (pid ${this.pid})`,
    );
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    const status = code ?? 128 + (signal ? constants.signals[signal] : 0);
    this.lastExit = `code ${status}${signal ? `, ${signal}` : ''}`;
    const what = `${this.name} exited (${this.lastExit})`;
    if (this.state === 'stopping') {
      this.setState('stopped');
      return;
    }
    if (this.holdOnExit) {
      this.sink.supervisor('warn', `${what}; not restarting (killed with restart: false)`);
      this.setState('stopped');
      return;
    }
    if (Date.now() - this.startedAt >= this.policy.stableAfterMs) this.crashes = 0;
    this.crashes += 1;
    const giveUp = !this.policy.enabled
      ? 'restarts are off'
      : this.policy.giveUpExitCodes.includes(status)
        ? `exit code ${status} means a restart will not help`
        : !this.everReady && this.crashes >= this.policy.maxCrashesBeforeReady
          ? `it crashed ${this.crashes} times before it was ever ready`
          : null;
    if (giveUp) {
      this.sink.supervisor('error', `${what}; not restarting: ${giveUp}`);
      this.setState('failed');
      return;
    }
    const delay = restartDelay(this.policy, this.crashes);
    this.sink.supervisor('warn', `${what}; restarting in ${formatDelay(delay)}`);
    this.setState('backoff');
    this.timer = setTimeout(() => {
      this.restarts += 1;
      this.start();
    }, delay);
  }
}
