import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const GLOBAL: Options = {
  url: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const COMMAND_OPTIONS = {
  submit: {
    model: { type: 'string' },
    quality: { type: 'string' },
    duration: { type: 'string' },
    aspect: { type: 'string' },
    'image-url': { type: 'string' },
    priority: { type: 'string' },
    seed: { type: 'string' },
    'negative-prompt': { type: 'string' },
    wait: { type: 'boolean', short: 'w' },
    timeout: { type: 'string' },
    'callback-url': { type: 'string' },
  },
  jobs: { status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  job: { wait: { type: 'boolean', short: 'w' }, timeout: { type: 'string' }, json: { type: 'boolean' } },
  cancel: {},
  resubmit: { wait: { type: 'boolean', short: 'w' }, timeout: { type: 'string' } },
  streams: { redis: { type: 'string' }, prefix: { type: 'string' }, json: { type: 'boolean' } },
  accounts: {
    status: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    'api-key': { type: 'string' },
    'api-key-stdin': { type: 'boolean' },
    nickname: { type: 'string' },
    email: { type: 'string' },
    'max-concurrent': { type: 'string' },
    priority: { type: 'string' },
    provider: { type: 'string' },
  },
  callbacks: {
    state: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    ids: { type: 'string' },
    count: { type: 'string' },
  },
  users: {
    q: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    role: { type: 'string' },
    'cancel-jobs': { type: 'boolean' },
    'max-active': { type: 'string' },
    'jobs-per-day': { type: 'string' },
    'credits-per-day': { type: 'string' },
  },
  dlq: {
    redis: { type: 'string' },
    prefix: { type: 'string' },
    json: { type: 'boolean' },
    limit: { type: 'string' },
    ids: { type: 'string' },
    count: { type: 'string' },
  },
} as const satisfies Record<string, Options>;

type Command = keyof typeof COMMAND_OPTIONS;
export type Values = Record<string, string | boolean | undefined>;

export interface ParsedCommand {
  command: Command | 'help';
  values: Values;
  positionals: string[];
}

const isCommand = (name: string): name is Command => Object.hasOwn(COMMAND_OPTIONS, name);

/** `pixsim <command> [options]`: the command comes first so each has its own flags. */
export function parseCommand(argv: readonly string[]): ParsedCommand {
  const [first, ...rest] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    return { command: 'help', values: {}, positionals: first === 'help' ? rest : [] };
  }
  if (!isCommand(first)) throw new UsageError(`unknown command ${JSON.stringify(first)}`);
  try {
    const { values, positionals } = parseArgs({
      args: [...rest],
      options: { ...GLOBAL, ...COMMAND_OPTIONS[first] },
      allowPositionals: true,
      strict: true,
    });
    return { command: first, values: values as Values, positionals };
  } catch (err) {
    throw new UsageError(`${first}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** An integer flag, or undefined when absent; a usage error naming the flag when malformed. */
export function intFlag(values: Values, name: string, range: { min?: number; max?: number } = {}): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const bounds = min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : '';
    throw new UsageError(`--${name} expects an integer${bounds}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export function stringFlag(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
