import type { Document } from 'bson';

/**
 * What the server has been asked, counted the way mongod reports it, so a benchmark can
 * read MongoDB's own numbers against mongo-dev: `serverStatus().opcounters` (one per
 * command received, i.e. one per round trip; mongod counts an insert per document) and
 * `top` (per namespace: how many commands of each kind, and the microseconds spent).
 */
const opcounters = { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 };
const OPCOUNTER: Readonly<Record<string, keyof typeof opcounters>> = {
  insert: 'insert',
  find: 'query',
  update: 'update',
  delete: 'delete',
  getMore: 'getmore',
};

/** `top`'s per-namespace fields; what is not one of these kinds counts under `commands`. */
type TopKind = 'queries' | 'getmore' | 'insert' | 'update' | 'remove' | 'commands';
const TOP_KIND: Readonly<Record<string, TopKind>> = {
  find: 'queries',
  getMore: 'getmore',
  insert: 'insert',
  update: 'update',
  delete: 'remove',
};

interface Usage {
  time: number;
  count: number;
}
type NamespaceUsage = Record<'total' | 'readLock' | 'writeLock' | TopKind, Usage>;
const READS: ReadonlySet<TopKind> = new Set(['queries', 'getmore']);

const byNamespace = new Map<string, NamespaceUsage>();

function usage(): Usage {
  return { time: 0, count: 0 };
}

function namespaceOf(name: string, body: Document): string | undefined {
  const db = typeof body.$db === 'string' ? body.$db : undefined;
  const target = name === 'getMore' ? body.collection : body[name];
  return db && typeof target === 'string' ? `${db}.${target}` : undefined;
}

/** Counts one command as it arrives: the opcounter now, the namespace when `done` runs. */
export function countCommand(name: string, body: Document): (micros: number) => void {
  opcounters[OPCOUNTER[name] ?? 'command']++;
  const ns = namespaceOf(name, body);
  if (!ns) return () => {};
  return (micros) => {
    let u = byNamespace.get(ns);
    if (!u) {
      u = {
        total: usage(),
        readLock: usage(),
        writeLock: usage(),
        queries: usage(),
        getmore: usage(),
        insert: usage(),
        update: usage(),
        remove: usage(),
        commands: usage(),
      };
      byNamespace.set(ns, u);
    }
    const kind = TOP_KIND[name] ?? 'commands';
    for (const field of [kind, 'total', READS.has(kind) ? 'readLock' : 'writeLock'] as const) {
      u[field].count++;
      u[field].time += micros;
    }
  };
}

export const serverStatus = (): Document => ({ opcounters: { ...opcounters }, ok: 1 });

export const top = (): Document => ({
  totals: { note: 'all times in microseconds', ...Object.fromEntries(byNamespace) },
  ok: 1,
});
