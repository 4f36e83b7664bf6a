/** Turns the pino JSON lines of the children into one compact line each, or keeps them raw. */

export interface FormatOptions {
  json: boolean;
  color: boolean;
  /** Clock for lines that carry no time of their own. */
  now?: () => Date;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLORS: Record<string, string> = { WARN: '33', ERROR: '31', FATAL: '31;1', DEBUG: '90', TRACE: '90' };
const NAME_WIDTH = 12;

type PinoLine = Record<string, unknown> & { level?: number | string; time?: string | number; msg?: unknown };

function parsePino(raw: string): PinoLine | null {
  if (!raw.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as PinoLine) : null;
  } catch {
    return null;
  }
}

function levelName(level: unknown): string {
  if (typeof level === 'number') return LEVELS[level] ?? String(level);
  if (typeof level === 'string') return level.toUpperCase();
  return 'INFO';
}

/** HH:MM:SS.mmm in local time: a person reading a terminal does not need the date. */
function clock(time: unknown, now: () => Date): string {
  const d = typeof time === 'string' || typeof time === 'number' ? new Date(time) : now();
  const date = Number.isNaN(d.getTime()) ? now() : d;
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function paint(text: string, code: string | undefined, color: boolean): string {
  return color && code ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function errorText(line: PinoLine): string {
  const err = (line.err ?? line.error) as { message?: unknown; type?: unknown } | undefined;
  if (!err || typeof err !== 'object' || !err.message) return '';
  return ` err=${JSON.stringify(String(err.message))}`;
}

/** One child's line, in the form the supervisor prints it. */
export function formatLogLine(name: string, raw: string, stream: 'stdout' | 'stderr', opts: FormatOptions): string {
  const now = opts.now ?? (() => new Date());
  const pino = parsePino(raw);
  if (opts.json) {
    if (pino) return raw;
    return JSON.stringify({ level: stream === 'stderr' ? 50 : 30, time: now().toISOString(), service: name, msg: raw });
  }
  const label = paint(name.padEnd(NAME_WIDTH), '36', opts.color);
  if (!pino)
    return (
      `${paint(clock(undefined, now), '90', opts.color)} ${(stream === 'stderr' ? 'ERR' : 'OUT').padEnd(5)} ` +
      `${label} ${raw}`
    );
  const level = levelName(pino.level);
  const jobId = typeof pino.job_id === 'string' ? ` job_id=${pino.job_id}` : '';
  const msg = typeof pino.msg === 'string' ? pino.msg : JSON.stringify(pino.msg ?? '');
  return (
    `${paint(clock(pino.time, now), '90', opts.color)} ` +
    `${paint(level.padEnd(5), LEVEL_COLORS[level], opts.color)} ${label} ${msg}${jobId}${errorText(pino)}`
  );
}

/** The supervisor's own messages, in the same shape as the children's. */
export function formatSupervisorLine(level: 'info' | 'warn' | 'error', msg: string, opts: FormatOptions): string {
  const now = opts.now ?? (() => new Date());
  const numeric = { info: 30, warn: 40, error: 50 }[level];
  const line = JSON.stringify({ level: numeric, time: now().toISOString(), service: 'supervisor', msg });
  return formatLogLine('supervisor', line, 'stdout', opts);
}
