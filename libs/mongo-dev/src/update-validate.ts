import type { Document } from 'bson';
import { bsonTypeName, formatElement, formatValue, isNumeric } from './bson-format.js';
import { isPlainObject } from './canonical.js';
import { CommandError } from './errors.js';

/*
 * The checks mongod makes on an operator update, which mingo does not: mingo skips an
 * operator it cannot apply and carries on, so without these a `$inc` on a string or a
 * `$set` under a number would be accepted here and refused in production. Two stages,
 * as in mongod: `checkUpdateSpec` when the update is parsed (before any document is
 * read, so it fails even when nothing matches), `checkUpdateAgainst` for each document.
 */

const MODIFIERS = new Set([
  '$set',
  '$setOnInsert',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$currentDate',
  '$push',
  '$addToSet',
  '$pop',
  '$pull',
  '$pullAll',
]);

/** Modifiers that are a no-op, not an error, on a path that cannot exist in the document. */
const ALLOW_NON_VIABLE = new Set(['$unset', '$pull', '$pullAll', '$pop']);

const isPositional = (part: string): boolean => part === '$' || (part.startsWith('$[') && part.endsWith(']'));

const failedToParse = (message: string): CommandError => new CommandError(9, 'FailedToParse', message);

/** The paths an operator update writes, in the order mongod parses them (for conflict messages). */
function pathsOf(u: Document): string[] {
  const paths: string[] = [];
  for (const [op, fields] of Object.entries(u)) {
    for (const [path, arg] of Object.entries(fields as Document)) {
      paths.push(path);
      // $rename writes both ends: the source is removed, the target set.
      if (op === '$rename' && typeof arg === 'string') paths.push(arg);
    }
  }
  return paths;
}

/** Parse-time checks of an operator update: known modifiers, numeric `$inc`/`$mul` arguments, no conflicting paths. */
export function checkUpdateSpec(u: Document): void {
  for (const [op, fields] of Object.entries(u)) {
    if (!MODIFIERS.has(op)) {
      throw failedToParse(
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    if (!isPlainObject(fields)) {
      throw failedToParse(
        `Modifiers operate on fields but we found type ${bsonTypeName(fields)} instead. For example: {$mod: ` +
          `{<field>: ...}} not {${op}: ${formatValue(fields)}}`,
      );
    }
    if (op === '$inc' || op === '$mul') {
      for (const [path, arg] of Object.entries(fields)) {
        if (!isNumeric(arg)) {
          const verb = op === '$inc' ? 'increment' : 'multiply';
          throw new CommandError(
            14,
            'TypeMismatch',
            `Cannot ${verb} with non-numeric argument: ${formatElement(path, arg)}`,
          );
        }
      }
    }
    if (op === '$rename') {
      for (const [path, arg] of Object.entries(fields)) {
        if (typeof arg !== 'string')
          throw new CommandError(
            2,
            'BadValue',
            `The 'to' field for $rename must be a string: ${path}: ${formatValue(arg)}`,
          );
      }
    }
  }
  checkConflicts(pathsOf(u));
}

/** mongod refuses an update that names a path twice, or a path and one of its prefixes (`p` and `p.q`). */
function checkConflicts(paths: string[]): void {
  const seen: string[][] = [];
  for (const path of paths) {
    const parts = path.split('.');
    for (const other of seen) {
      const n = Math.min(parts.length, other.length);
      let shared = true;
      for (let i = 0; i < n && shared; i++) shared = parts[i] === other[i];
      if (!shared) continue;
      const at = (parts.length <= other.length ? parts : other).join('.');
      throw new CommandError(
        40,
        'ConflictingUpdateOperators',
        `Updating the path '${path}' would create a conflict at '${at}'`,
      );
    }
    seen.push(parts);
  }
}

type Resolved =
  | { kind: 'found'; value: unknown }
  | { kind: 'missing' }
  /** `parts[index]` cannot be created inside `parent` (a scalar, or an array and a non-numeric name). */
  | { kind: 'blocked'; index: number; parent: unknown };

function resolve(doc: Document, parts: string[]): Resolved {
  let cur: unknown = doc;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    let next: unknown;
    if (isPlainObject(cur)) next = cur[part];
    else if (Array.isArray(cur) && /^\d+$/.test(part)) next = cur[Number(part)];
    else return { kind: 'blocked', index: i, parent: cur };
    if (next === undefined) return { kind: 'missing' };
    cur = next;
  }
  return { kind: 'found', value: cur };
}

const idOf = (doc: Document): string => (doc._id === undefined ? '{no id}' : formatElement('_id', doc._id));

/**
 * Checks an operator update (already through `checkUpdateSpec`) against the document it
 * is about to change: paths must be creatable, `$inc`/`$mul` need numbers, `$push` and
 * `$addToSet` arrays. Paths with a positional part are left to the update engine.
 */
export function checkUpdateAgainst(doc: Document, u: Document, inserting: boolean): void {
  for (const [op, fields] of Object.entries(u)) {
    if (op === '$setOnInsert' && !inserting) continue;
    for (const [field, arg] of Object.entries(fields as Document)) {
      const path = op === '$rename' ? (arg as string) : field;
      const parts = path.split('.');
      if (parts.some(isPositional)) continue;
      const found = resolve(doc, parts);
      const last = parts[parts.length - 1]!;
      if (found.kind === 'blocked') {
        if (ALLOW_NON_VIABLE.has(op)) continue;
        throw new CommandError(
          28,
          'PathNotViable',
          `Cannot create field '${parts[found.index]}' in element ` +
            `${formatElement(parts[found.index - 1]!, found.parent)}`,
        );
      }
      if (found.kind !== 'found') continue;
      const { value } = found;
      const type = bsonTypeName(value);
      if ((op === '$inc' || op === '$mul') && !isNumeric(value)) {
        throw new CommandError(
          14,
          'TypeMismatch',
          `Cannot apply ${op} to a value of non-numeric type. ${idOf(doc)} has the field '${last}' of non-numeric ` +
            `type ${type}`,
        );
      }
      if (Array.isArray(value)) continue;
      if (op === '$push')
        throw new CommandError(
          2,
          'BadValue',
          `The field '${last}' must be an array but is of type ${type} in document ${idOf(doc)}`,
        );
      if (op === '$addToSet')
        throw new CommandError(
          2,
          'BadValue',
          `Cannot apply $addToSet to non-array field. Field named '${last}' has non-array type ${type}`,
        );
      if (op === '$pull' || op === '$pullAll')
        throw new CommandError(2, 'BadValue', `Cannot apply ${op} to a non-array value`);
      if (op === '$pop')
        throw new CommandError(14, 'TypeMismatch', `Path '${path}' contains an element of non-array type '${type}'`);
    }
  }
}
