import { formatLogLine, formatSupervisorLine, type FormatOptions } from './log-format.js';

export type LogMode = 'pretty' | 'json' | 'quiet';

/** Where every line of the system goes: the terminal, and a bounded memory for dumps. */
export interface LogSink {
  child(name: string, raw: string, stream: 'stdout' | 'stderr'): void;
  supervisor(level: 'info' | 'warn' | 'error', msg: string): void;
  /** The last lines (formatted, uncoloured), oldest first. */
  lines(): string[];
}

export interface LogSinkOptions {
  mode?: LogMode;
  /** Receives each printed line without its newline; stdout by default. */
  write?: (line: string) => void;
  color?: boolean;
  /** How many lines to keep in memory (default 5000). */
  keep?: number;
}

export function createLogSink(opts: LogSinkOptions = {}): LogSink {
  const mode = opts.mode ?? 'pretty';
  const write = opts.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const keep = opts.keep ?? 5_000;
  const plain: FormatOptions = { json: mode === 'json', color: false };
  const shown: FormatOptions = { json: mode === 'json', color: opts.color ?? false };
  const buffer: string[] = [];

  const remember = (line: string): void => {
    buffer.push(line);
    if (buffer.length > keep) buffer.splice(0, buffer.length - keep);
  };
  const emit = (format: (o: FormatOptions) => string): void => {
    remember(format(plain));
    if (mode !== 'quiet') write(shown.color ? format(shown) : format(plain));
  };

  return {
    child: (name, raw, stream) => emit((o) => formatLogLine(name, raw, stream, o)),
    supervisor: (level, msg) => emit((o) => formatSupervisorLine(level, msg, o)),
    lines: () => [...buffer],
  };
}
