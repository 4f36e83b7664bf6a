import type { Document } from 'bson';
import { formatElement, formatValue } from './bson-format.js';
import { isPlainObject, keyOf } from './canonical.js';
import { badValue, CommandError } from './errors.js';
import { notSupported, refuseCollation } from './unsupported.js';
import { defaultIndexName } from './unique-index.js';
import type { IndexSpec } from './unique-index.js';

/*
 * Index specifications as mongod 7 validates and compares them. An index is identified
 * by its signature (key pattern, unique, sparse, collation, partialFilterExpression);
 * the other options (expireAfterSeconds, …) must match too for a request to be the
 * same index. A request that matches an existing index in name or signature but not
 * in full is refused (85/86), never merged: merging kept the first definition and hid
 * the change from the service that asked for it.
 */

/** Fields mongod accepts in an index specification. */
const KNOWN_FIELDS = new Set([
  'key',
  'name',
  'v',
  'ns',
  'unique',
  'sparse',
  'partialFilterExpression',
  'expireAfterSeconds',
  'background',
  'hidden',
  'collation',
  'storageEngine',
  'weights',
  'default_language',
  'language_override',
  'textIndexVersion',
  '2dsphereIndexVersion',
  'bits',
  'min',
  'max',
  'bucketSize',
  'wildcardProjection',
  'prepareUnique',
  'dropDups',
]);

/** Fields the `_id` index may carry. */
const ID_INDEX_FIELDS = new Set(['key', 'name', 'v', 'ns', 'collation', 'unique']);

/** Options that do not take part in the "same options" comparison (mongod's list). */
const NOT_COMPARED = new Set([
  'key',
  'ns',
  'name',
  'v',
  'textIndexVersion',
  '2dsphereIndexVersion',
  'background',
  'dropDups',
  'sparse',
  'unique',
  'collation',
  'partialFilterExpression',
  'hidden',
  'prepareUnique',
]);

const MAX_EXPIRE_AFTER_SECONDS = 2_147_483_647;

const cannotCreate = (message: string): CommandError => new CommandError(67, 'CannotCreateIndex', message);
const invalidOption = (message: string): CommandError =>
  new CommandError(197, 'InvalidIndexSpecificationOption', message);

const isIdPattern = (key: Document): boolean => {
  const fields = Object.keys(key);
  return fields.length === 1 && fields[0] === '_id' && key._id === 1;
};

/**
 * Validates a requested index and returns it as stored: `v: 2`, `key`, `name` first,
 * then the options as given (without the obsolete `ns` and a `simple` collation).
 */
export function normalizeIndexSpec(input: Document): IndexSpec {
  const key = input.key;
  if (!isPlainObject(key)) throw badValue(`The 'key' field must be an object, got: ${formatValue(key)}`);
  if (Object.keys(key).length === 0) throw cannotCreate('Index keys cannot be empty.');
  for (const [field, direction] of Object.entries(key)) {
    if (typeof direction === 'string' || field.includes('$**')) {
      const kind = typeof direction === 'string' ? direction : 'wildcard';
      throw notSupported(`'${kind}' index on '${field}' (only ascending and descending indexes, 1 or -1)`);
    }
    if (typeof direction !== 'number' || !Number.isFinite(direction) || direction === 0)
      throw cannotCreate(
        `Values in v:2 index key pattern cannot be ${formatValue(direction)}. Only numbers > 0, numbers < 0, and ` +
          `strings are allowed.`,
      );
  }
  const { ns: _ns, v: _v, key: _key, name, ...options } = input;
  const spec: IndexSpec = {
    v: 2,
    key,
    name: typeof name === 'string' && name.length > 0 ? name : defaultIndexName(key),
    ...options,
  };
  const shown = formatValue(spec);
  for (const field of Object.keys(spec))
    if (!KNOWN_FIELDS.has(field))
      throw invalidOption(`The field '${field}' is not valid for an index specification. Specification: ${shown}`);
  if (spec.name === '_id_' && !isIdPattern(key))
    throw badValue(
      `The index name '_id_' is reserved for the _id index, which must have key pattern {_id: 1}, found key: ` +
        `${formatValue(key)}`,
    );
  if (isIdPattern(key)) {
    for (const field of Object.keys(spec)) {
      if (!ID_INDEX_FIELDS.has(field) || (field === 'unique' && spec.unique !== true))
        throw invalidOption(
          `The field '${field}' is not valid for an _id index specification. Specification: ${shown}`,
        );
    }
  }
  if (spec.collation !== undefined) {
    refuseCollation(spec.collation);
    delete spec.collation;
  }
  if (spec.partialFilterExpression !== undefined) {
    if (spec.sparse) throw cannotCreate('cannot mix "partialFilterExpression" and "sparse" options');
    if (!isPlainObject(spec.partialFilterExpression))
      throw cannotCreate('"partialFilterExpression" for an index must be a document');
    checkPartialFilter(spec.partialFilterExpression);
  }
  if (spec.expireAfterSeconds !== undefined) checkTtl(spec, shown);
  return spec;
}

function checkTtl(spec: IndexSpec, shown: string): void {
  const seconds = spec.expireAfterSeconds;
  if (typeof seconds !== 'number' || Number.isNaN(seconds))
    throw cannotCreate(
      `TTL index 'expireAfterSeconds' option must be numeric, but received a type of '${typeof seconds}'. Index ` +
        `spec: ${shown}`,
    );
  if (seconds < 0 || seconds > MAX_EXPIRE_AFTER_SECONDS)
    throw cannotCreate(
      `TTL index 'expireAfterSeconds' option must be within an acceptable range, try a lower number. Index spec: ` +
        `${shown}`,
    );
  if (Object.keys(spec.key).length !== 1)
    throw cannotCreate(
      `TTL indexes are single-field indexes, compound indexes do not support TTL. Index spec: ${shown}`,
    );
}

const PARTIAL_COMPARISONS = new Set(['$eq', '$gt', '$gte', '$lt', '$lte', '$type', '$in']);

const unsupportedInPartial = (what: string): CommandError =>
  cannotCreate(`Expression not supported in partial index: ${what}`);

/**
 * MongoDB 7's partial index filters: equality, `$exists: true`, `$gt`/`$gte`/`$lt`/`$lte`,
 * `$type`, `$in`, joined by `$and` and `$or`. Anything else (`$ne`, `$nin`, `$not`,
 * `$exists: false`, `$regex`, `$elemMatch`, `$expr`, `$nor`, …) is refused with 67.
 */
function checkPartialFilter(filter: Document): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) throw badValue(`${key} argument must be a non-empty array`);
      for (const branch of value) {
        if (!isPlainObject(branch)) throw badValue(`${key} argument's entries must be objects`);
        checkPartialFilter(branch);
      }
      continue;
    }
    if (key.startsWith('$')) throw unsupportedInPartial(`${key} ${formatValue(value)}`);
    if (isRegex(value)) throw unsupportedInPartial(`${key} regex ${formatValue(value)}`);
    if (!isPlainObject(value) || !Object.keys(value).some((k) => k.startsWith('$'))) continue;
    for (const [op, arg] of Object.entries(value)) {
      const ok = op === '$exists' ? Boolean(arg) : PARTIAL_COMPARISONS.has(op) && !(op === '$eq' && isRegex(arg));
      if (!ok) throw unsupportedInPartial(formatElement(key, { [op]: arg }));
    }
  }
}

const isRegex = (v: unknown): boolean =>
  v instanceof RegExp || (v as { _bsontype?: string } | null)?._bsontype === 'BSONRegExp';

type IndexComparison = 'identical' | 'equivalent' | 'different';

/** A filter's shape with the order of fields and operators made irrelevant, as mongod normalizes it. */
function canonicalFilter(filter: unknown): unknown {
  if (!isPlainObject(filter)) return filter;
  const out: Document = {};
  for (const key of Object.keys(filter).sort()) {
    const value = filter[key];
    if ((key === '$and' || key === '$or') && Array.isArray(value))
      out[key] = value.map(canonicalFilter).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
    else if (isPlainObject(value) && Object.keys(value).every((k) => k.startsWith('$')))
      out[key] = Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, value[k]]),
      );
    else out[key] = value;
  }
  return out;
}

/** The comparison mongod makes between a requested index and an existing one. */
function compareIndexSpecs(requested: IndexSpec, existing: IndexSpec): IndexComparison {
  if (keyOf(requested.key) !== keyOf(existing.key)) return 'different';
  if (Boolean(requested.unique) !== Boolean(existing.unique)) return 'different';
  if (Boolean(requested.sparse) !== Boolean(existing.sparse)) return 'different';
  const pa = requested.partialFilterExpression;
  const pb = existing.partialFilterExpression;
  if ((pa === undefined) !== (pb === undefined)) return 'different';
  if (pa !== undefined && keyOf(canonicalFilter(pa)) !== keyOf(canonicalFilter(pb))) return 'different';
  const options = (spec: IndexSpec): string =>
    keyOf(
      Object.keys(spec)
        .filter((k) => !NOT_COMPARED.has(k) && spec[k] !== undefined)
        .sort()
        .map((k) => [k, spec[k]]),
    );
  return options(requested) === options(existing) ? 'identical' : 'equivalent';
}

/** The error for a requested index that clashes with `existing`; undefined when it is the very same index. */
export function indexConflict(requested: IndexSpec, existing: IndexSpec): CommandError | undefined {
  const comparison = compareIndexSpecs(requested, existing);
  const both = `Requested index: ${formatValue(requested)}, existing index: ${formatValue(existing)}`;
  if (requested.name === existing.name) {
    if (comparison === 'identical') return undefined;
    if (comparison === 'different')
      return new CommandError(
        86,
        'IndexKeySpecsConflict',
        `An existing index has the same name as the requested index. When index names are not specified, they are ` +
          `auto generated and can cause conflicts. Please refer to our documentation. ${both}`,
      );
    return new CommandError(
      85,
      'IndexOptionsConflict',
      `An equivalent index already exists with the same name but different options. ${both}`,
    );
  }
  if (comparison === 'different') return undefined;
  if (comparison === 'equivalent')
    return new CommandError(
      85,
      'IndexOptionsConflict',
      `An equivalent index already exists with a different name and options. ${both}`,
    );
  return new CommandError(85, 'IndexOptionsConflict', `Index already exists with a different name: ${existing.name}`);
}
