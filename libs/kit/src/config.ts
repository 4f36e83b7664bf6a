import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';
import { redactUrl, SECRET_ENV_NAME } from './secrets.js';

export type Env = Record<string, string | undefined>;

/** Old ARQ names still accepted so an existing `.env` keeps working; the new name wins. */
const LEGACY_ENV_ALIASES: Readonly<Record<string, string>> = {
  ARQ_MAX_JOBS: 'MAX_JOBS',
  ARQ_JOB_TIMEOUT: 'JOB_TIMEOUT_S',
  ARQ_MAX_TRIES: 'MAX_TRIES',
};

/** sysexits.h EX_CONFIG: the process cannot start because of its configuration. */
export const EX_CONFIG = 78;

/**
 * Returns a copy of `env` where empty values count as unset (`MAX_JOBS=` in a
 * `.env` means "use the default") and legacy names fill in their new names.
 */
function applyEnvAliases(env: Env): Env {
  const out: Env = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  for (const [legacy, name] of Object.entries(LEGACY_ENV_ALIASES)) {
    if (out[name] === undefined && out[legacy] !== undefined) out[name] = out[legacy];
  }
  return out;
}

/** Parses the environment once, at start. Throws ConfigError naming every bad variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): z.infer<S> {
  const effective = applyEnvAliases(env);
  const result = schema.safeParse(effective);
  if (result.success) return result.data;
  throw new ConfigError(toIssues(result.error.issues, env, effective));
}

function toIssues(issues: readonly z.core.$ZodIssue[], raw: Env, effective: Env): ConfigIssue[] {
  const seen = new Set<string>();
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const name = issue.path.length ? issue.path.map(String).join('.') : '(environment)';
    const key = String(issue.path[0] ?? '');
    const value = effective[key];
    const source = value !== undefined && raw[key] === undefined ? legacyNameFor(key, raw) : undefined;
    const variable = source ? `${name} (from ${source})` : name;
    let message: string;
    if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
      message = 'is required but not set';
    } else {
      message = issue.message;
      if (value !== undefined && !message.includes(', got ')) message += `, got ${show(key, value)}`;
    }
    const id = `${variable}\u0000${message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push({ variable, message });
    }
  }
  return out;
}

function legacyNameFor(name: string, raw: Env): string | undefined {
  return Object.entries(LEGACY_ENV_ALIASES).find(([legacy, n]) => n === name && raw[legacy])?.[0];
}

/** Shows a bad value without leaking a secret (by variable name, or a URL's password). */
function show(variable: string, value: string): string {
  if (SECRET_ENV_NAME.test(variable)) return '<redacted>';
  const masked = redactUrl(value);
  return JSON.stringify(masked.length > 120 ? `${masked.slice(0, 117)}...` : masked);
}

export interface ExitIo {
  write?: (text: string) => void;
  exit?: (code: number) => never;
}

/**
 * Runs `fn` (typically `() => loadConfig(schema)`); on ConfigError prints the message
 * to stderr and exits 78. Any other error propagates untouched.
 */
export function exitOnConfigError<T>(fn: () => T, io: ExitIo = {}): T {
  const write = io.write ?? ((t: string) => process.stderr.write(t));
  const exit = io.exit ?? ((code: number) => process.exit(code));
  const handle = (err: unknown): never => {
    if (err instanceof ConfigError) {
      write(`${err.message}\n`);
      return exit(EX_CONFIG);
    }
    throw err;
  };
  try {
    const result = fn();
    if (result instanceof Promise) return result.catch(handle) as T;
    return result;
  } catch (err) {
    return handle(err);
  }
}
