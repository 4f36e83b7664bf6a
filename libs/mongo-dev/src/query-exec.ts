import type { Document } from 'bson';
import { Query } from 'mingo';
import type { SortSpec } from 'mingo/types';
import { simpleMatcher, simpleSort } from './fast-path.js';

export interface SelectOptions {
  sort?: Document;
  skip?: number;
  limit?: number;
}

/** A predicate for `filter`: the fast path's when the shape is simple, else mingo's. */
export function matcherOf(filter: Document | undefined): (doc: Document) => boolean {
  return (
    simpleMatcher(filter) ??
    (
      (q) => (d: Document) =>
        q.test(d)
    )(new Query(filter ?? {}, {}))
  );
}

/** skip and limit as find reads them: a negative limit is a limit (single batch), 0 is none. */
export function window(opts: SelectOptions): { skip: number; limit: number | undefined } {
  return {
    skip: opts.skip && opts.skip > 0 ? opts.skip : 0,
    limit: opts.limit && opts.limit !== 0 ? Math.abs(opts.limit) : undefined,
  };
}

/** Matching documents (references to stored ones) in natural or requested order. */
export function select(docs: Document[], filter: Document | undefined, opts: SelectOptions = {}): Document[] {
  const test = matcherOf(filter);
  const { $natural, ...sort } = opts.sort ?? {};
  let matched = docs.filter(test);
  if ($natural === -1) matched = matched.reverse();
  if (Object.keys(sort).length)
    matched =
      simpleSort(matched, sort) ??
      (new Query({}, {})
        .find(matched)
        .sort(sort as SortSpec)
        .all() as Document[]);
  const { skip, limit } = window(opts);
  return matched.slice(skip, limit === undefined ? undefined : skip + limit);
}

/** Find-style projection (inclusion, exclusion, `$slice`, `$elemMatch`); new objects, stored docs untouched. */
export function project(docs: Document[], projection: Document | undefined): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  return new Query({}, {}).find(docs, projection).all() as Document[];
}
