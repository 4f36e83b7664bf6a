import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/**
 * The active context for the duration of a synchronous call, and no further: what runs
 * after an `await` inside `with` sees the context from before. Nothing is hooked, so it
 * costs nothing per promise.
 */
export class SyncContextManager implements ContextManager {
  #current: Context = ROOT_CONTEXT;

  active(): Context {
    return this.#current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const before = this.#current;
    this.#current = context;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#current = before;
    }
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const manager = this;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => (target as (...a: unknown[]) => unknown).apply(this, args));
    } as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.#current = ROOT_CONTEXT;
    return this;
  }
}

/**
 * Whether AsyncLocalStorage rides on AsyncContextFrame (Node 24 and later, unless turned
 * off): then carrying a context across `await` is free. Before that it installs promise
 * hooks, a JavaScript callback on every promise the process makes.
 */
export function asyncContextIsFree(
  version = process.versions.node,
  flags: readonly string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS?.split(/\s+/) ?? [])],
): boolean {
  if (flags.includes('--no-async-context-frame')) return false;
  if (flags.includes('--experimental-async-context-frame')) return true;
  return Number(version.split('.')[0]) >= 24;
}

/**
 * The context manager a process registers. Recording spans need the context carried
 * across `await` (a child span must find its parent), and so do trace ids in logs and
 * events when that is free. Without recording, on a Node where it is not free, the
 * promise hooks cost 4–7% of the services' CPU per job (the end-to-end benchmark on
 * Node 20): the context then lasts only as long as a synchronous call, and each service
 * starts a fresh trace id where it takes up a job.
 */
export function contextManagerFor(recording: boolean, asyncIsFree = asyncContextIsFree()): ContextManager {
  return recording || asyncIsFree ? new AsyncLocalStorageContextManager() : new SyncContextManager();
}
