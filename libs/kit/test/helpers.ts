import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createPublisher } from '@pixsim/bus';
import { createKeys } from '@pixsim/contracts';
import { deleteKeys, jobFailed, REDIS_URL, uniqueName } from '@pixsim/testkit';
import { context, propagation, trace } from '@opentelemetry/api';
import { createLogger, shutdownTelemetry } from '../src/index.js';

/** Stops what startTelemetry started and clears the OpenTelemetry globals, so the next test starts afresh. */
export async function resetTelemetry(): Promise<void> {
  await shutdownTelemetry();
  trace.disable();
  context.disable();
  propagation.disable();
}

/** A logger whose lines the test can read back. */
export function memoryLogger(service = 'kit-test'): { logger: Logger; records: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const logger = createLogger({ service, level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
  return { logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

export interface OtlpSpan {
  name: string;
  traceId: string;
  scope: string;
}

/** A stand-in OTLP/HTTP collector that keeps every span it receives. */
export async function collector(): Promise<{ server: Server; url: string; spans: OtlpSpan[] }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      type Export = { resourceSpans?: { scopeSpans?: { scope?: { name: string }; spans?: OtlpSpan[] }[] }[] };
      const parsed = JSON.parse(body) as Export;
      for (const rs of parsed.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? []) spans.push({ name: s.name, traceId: s.traceId, scope: ss.scope?.name ?? '' });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { server, url: `http://127.0.0.1:${address.port}`, spans };
}

const serviceChild = fileURLToPath(new URL('./fixtures/service-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * fixtures/service-child.ts in a process of its own, on streams of its own: a service under
 * runService whose one slow JOB_FAILED handler prints each step as a JSON line.
 */
export function spawnServiceChild(opts: { nodeArgs?: string[]; env?: Record<string, string> } = {}) {
  const prefix = uniqueName('t-svc');
  const redis = new Redis(REDIS_URL);
  const child = spawn(process.execPath, ['--import', 'tsx', ...(opts.nodeArgs ?? []), serviceChild], {
    cwd: root,
    env: { ...process.env, STREAM_PREFIX: prefix, LOG_LEVEL: 'warn', CONSUMER_NAME: 'c1', ...opts.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  let partial = '';
  const lines: Array<Record<string, unknown>> = [];
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString();
    const parts = (partial + c.toString()).split('\n');
    partial = parts.pop()!;
    for (const l of parts) if (l.startsWith('{')) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  return {
    prefix,
    redis,
    child,
    /** The JSON lines the child printed so far. */
    lines,
    /** Resolves once a printed line matches; rejects, with the output, if the child exits first. */
    seen: (match: (line: Record<string, unknown>) => boolean, what: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (lines.some(match) ? resolve() : undefined);
        child.stdout.on('data', check);
        child.once('exit', (code) => reject(new Error(`exited (${code}) before ${what}: ${output}`)));
        check();
      }),
    /** Publishes the JOB_FAILED the child's handler takes. */
    publishJobFailed: () => createPublisher({ redis, keys: createKeys(prefix) }).publish(jobFailed()),
    /** Sends `signal` and resolves with the exit code. */
    stop: (signal: NodeJS.Signals) => {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill(signal);
      return exited;
    },
    /** Kills what is left and deletes the child's keys. */
    async cleanup() {
      child.kill('SIGKILL');
      await deleteKeys(redis, prefix);
      redis.disconnect();
    },
  };
}
