import { Collection } from './collection.js';

/** All databases, each a map of collections. `version` grows on every change (snapshot dirtiness). */
export class Store {
  private readonly dbs = new Map<string, Map<string, Collection>>();
  version = 0;

  private readonly touch = (): void => {
    this.version++;
  };

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** Collections are created implicitly on first write, as in mongod. */
  ensure(db: string, name: string): { coll: Collection; created: boolean } {
    let colls = this.dbs.get(db);
    if (!colls) this.dbs.set(db, (colls = new Map()));
    const existing = colls.get(name);
    if (existing) return { coll: existing, created: false };
    const coll = new Collection(db, name, this.touch);
    colls.set(name, coll);
    this.touch();
    return { coll, created: true };
  }

  drop(db: string, name: string): boolean {
    const colls = this.dbs.get(db);
    const dropped = colls?.delete(name) ?? false;
    if (colls && colls.size === 0) this.dbs.delete(db);
    if (dropped) this.touch();
    return dropped;
  }

  dropDatabase(db: string): void {
    if (this.dbs.delete(db)) this.touch();
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  /** One pass of the TTL monitor over every collection; returns how many documents expired. */
  expire(now: number): number {
    let removed = 0;
    for (const colls of this.dbs.values()) for (const coll of colls.values()) removed += coll.expire(now);
    return removed;
  }

  databases(): string[] {
    return [...this.dbs.keys()];
  }
}
