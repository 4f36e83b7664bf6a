import type { Document } from 'bson';
import { isPlainObject } from './canonical.js';
import { CommandError } from './errors.js';

/*
 * Features mongo-dev cannot do faithfully are refused, never approximated: an
 * approximation passes tests and fails in production. It runs no server-side
 * JavaScript, so it answers as a mongod started with `security.javascriptEnabled: false`
 * does, with that mongod's codes; it has no collations, capped collections, views,
 * time series or validators, and says so instead of ignoring the option.
 */

const noWhere = (): CommandError =>
  new CommandError(
    6108304,
    'Location6108304',
    'no globalScriptEngine in $where parsing (mongo-dev, like a mongod with javascriptEnabled: false, runs no ' +
      'server-side JavaScript)',
  );

const whereInPipeline = (): CommandError => new CommandError(2, 'BadValue', '$where is not allowed in this context');

const noJavaScript = (operator: string): CommandError =>
  new CommandError(
    31264,
    'Location31264',
    `Cannot run server-side javascript without the javascript engine enabled (${operator}: mongo-dev runs no ` +
      `server-side JavaScript)`,
  );

export const notSupported = (what: string): CommandError =>
  new CommandError(115, 'CommandNotSupported', `${what} is not supported by mongo-dev`);

const JS_OPERATORS = new Set(['$function', '$accumulator']);

/** The first server-side JavaScript operator inside `value`, searched through objects and arrays. */
function findJs(value: unknown, depth = 0): string | undefined {
  if (depth > 100) return undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = findJs(v, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  for (const [key, v] of Object.entries(value)) {
    if (key === '$where' || JS_OPERATORS.has(key)) return key;
    // A $literal holds data, not operators.
    if (key === '$literal') continue;
    const found = findJs(v, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** A query filter (find, count, distinct, delete, update, findAndModify). */
export function refuseJsInFilter(filter: unknown): void {
  const found = findJs(filter);
  if (found === '$where') throw noWhere();
  if (found) throw noJavaScript(found);
}

/** An aggregation pipeline, or a pipeline-style update. */
export function refuseJsInPipeline(pipeline: unknown): void {
  const found = findJs(pipeline);
  if (found === '$where') throw whereInPipeline();
  if (found) throw noJavaScript(found);
}

/** Only the simple (binary) collation, which is mongod's default, is what mongo-dev compares by. */
export function refuseCollation(collation: unknown): void {
  if (collation === undefined || collation === null) return;
  if (isPlainObject(collation) && collation.locale === 'simple' && Object.keys(collation).length === 1) return;
  throw notSupported(`collation ${JSON.stringify(collation)} (only { locale: 'simple' })`);
}

/** `create` options that change what a collection is; the rest (writeConcern, comment, …) are fine. */
export function refuseCollectionOptions(cmd: Document): void {
  for (const option of ['capped', 'viewOn', 'pipeline', 'timeseries', 'clusteredIndex', 'expireAfterSeconds']) {
    if (cmd[option] !== undefined && cmd[option] !== false) throw notSupported(`the '${option}' collection option`);
  }
  if (isPlainObject(cmd.validator) && Object.keys(cmd.validator).length > 0)
    throw notSupported("the 'validator' collection option (schema validation)");
  if (isPlainObject(cmd.encryptedFields)) throw notSupported("the 'encryptedFields' collection option");
  const images = cmd.changeStreamPreAndPostImages;
  if (isPlainObject(images) && images.enabled) throw notSupported("the 'changeStreamPreAndPostImages' option");
  refuseCollation(cmd.collation);
}

/** mapReduce needs server-side JavaScript for its map and reduce functions. */
export function mapReduce(): Document {
  throw notSupported('mapReduce (its map and reduce functions are server-side JavaScript; use an aggregation)');
}
