import { SpanKind, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Traces carry no payloads: prompts, callback URLs, emails and sealed keys travel in
 * Redis script arguments, request bodies and URLs, and every trace backend would keep
 * them. Spans name the operation and where it went, never the values.
 */

/** Commands whose first argument is not a key (a password, a script body, a message…): named only. */
const NO_KEY = new Set([
  'AUTH',
  'HELLO',
  'PING',
  'ECHO',
  'SCRIPT',
  'FUNCTION',
  'CONFIG',
  'CLIENT',
  'SELECT',
  'INFO',
  'QUIT',
  'MULTI',
  'EXEC',
  'DISCARD',
  'CLUSTER',
  'COMMAND',
  'MEMORY',
  'DEBUG',
]);

type RedisArg = string | Buffer | number | unknown;

/**
 * ioredis `dbStatementSerializer`: the command and the keys it touches, never a value
 * (`EVALSHA pixsim:stream:JOB_REQUESTED pixsim:idem:u1`, `XADD pixsim:stream:JOB_CREATED`).
 */
export function redisStatement(cmdName: string, args: RedisArg[]): string {
  const name = cmdName.toUpperCase();
  const asKey = (a: RedisArg) => (typeof a === 'string' || Buffer.isBuffer(a) ? String(a) : undefined);
  let keys: RedisArg[] = [];
  if (NO_KEY.has(name)) keys = [];
  else if (name === 'EVAL' || name === 'EVALSHA' || name === 'EVAL_RO' || name === 'EVALSHA_RO' || name === 'FCALL') {
    const n = Number(args[1]);
    keys = Number.isInteger(n) && n > 0 ? args.slice(2, 2 + n) : [];
  } else if (name === 'XREAD' || name === 'XREADGROUP') {
    const at = args.findIndex((a) => String(a).toUpperCase() === 'STREAMS');
    const rest = at < 0 ? [] : args.slice(at + 1);
    keys = rest.slice(0, rest.length / 2);
  } else if (args.length > 0) keys = [args[0]];
  return [name, ...keys.map(asKey).filter((k): k is string => k !== undefined)].join(' ');
}

/** URL attributes of the HTTP semantic conventions, old and new. */
const URL_KEYS = ['url.full', 'http.url'];
const TARGET_KEYS = ['http.target'];
const DROP_KEYS = ['url.query', 'http.request.body', 'http.response.body', 'db.statement.parameters'];

/**
 * `host[:port]` forms of a base URL, as `pathHosts` holds them: the URL's own `host`
 * (no port when it is the default) and, for a default port, `host:443` / `host:80`
 * (what `server.port` says).
 */
export function pathHostsOf(base: string): string[] {
  const url = new URL(base);
  if (url.port) return [url.host];
  return [url.hostname, `${url.hostname}:${url.protocol === 'https:' ? 443 : 80}`];
}

/**
 * Strips what a span's URLs may carry: every query string, and for outgoing requests to
 * hosts not listed in `pathHosts` (a client's callback URL, say) the path too, leaving
 * the origin. The provider's API paths (`/openapi/v2/video/result/…`) stay: they say
 * which call it was.
 */
export class RedactingSpanProcessor implements SpanProcessor {
  /** `pathHosts`: `host[:port]` (see pathHostsOf) whose request paths may be kept. */
  constructor(private readonly pathHosts: ReadonlySet<string> = new Set()) {}

  onStart(_span: Span, _ctx: Context): void {}

  onEnd(span: ReadableSpan): void {
    // The SDK's span keeps its attributes in a plain object: rewriting it here, before the
    // export processors run, is what they (and every backend) then see.
    const attrs = span.attributes as Record<string, unknown>;
    this.scrub(attrs, span.kind === SpanKind.CLIENT);
    for (const event of span.events)
      if (event.attributes) this.scrub(event.attributes as Record<string, unknown>, false);
  }

  private scrub(attrs: Record<string, unknown>, client: boolean): void {
    for (const key of DROP_KEYS) delete attrs[key];
    for (const key of URL_KEYS) {
      const v = attrs[key];
      if (typeof v === 'string') attrs[key] = redactUrl(v, client ? this.pathHosts : undefined);
    }
    for (const key of TARGET_KEYS) {
      const v = attrs[key];
      if (typeof v === 'string') attrs[key] = v.split('?')[0]!;
    }
    const path = attrs['url.path'];
    if (client && typeof path === 'string') {
      const port = attrs['server.port'];
      const host = `${String(attrs['server.address'] ?? '')}${port === undefined ? '' : `:${String(port)}`}`;
      if (!this.pathHosts.has(host)) delete attrs['url.path'];
    }
    // An error's text may quote a URL it failed on: keep the URL, not its query.
    for (const key of ['exception.message', 'exception.stacktrace']) {
      const text = attrs[key];
      if (typeof text === 'string') attrs[key] = text.replace(/(https?:\/\/[^\s?#"']+)[?#][^\s"']*/g, '$1');
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** `https://h/p?q` → `https://h/p`; when `pathHosts` is given and lacks the host, just `https://h`. */
export function redactUrl(raw: string, pathHosts?: ReadonlySet<string>): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw.split(/[?#]/)[0]!;
  }
  const keepPath = !pathHosts || pathHosts.has(url.host);
  return `${url.protocol}//${url.host}${keepPath ? url.pathname : ''}`;
}
