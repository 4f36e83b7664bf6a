import { Binary, Decimal128, Double, EJSON, Int32, Long, ObjectId, Timestamp } from 'bson';
import type { Document } from 'bson';

/*
 * Values and type names as mongod writes them in its error messages
 * (`{_id: ObjectId('…')} has the field 'n' of non-numeric type string`), so that a
 * message read in a test log reads the same as one from production.
 */

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/** mongod's name of a value's BSON type (`$type` aliases): int, double, string, object, array, … */
export function bsonTypeName(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'long';
    // The driver encodes integral numbers that fit 32 bits as int32, the rest as double.
    case 'number':
      return Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX && !Object.is(value, -0)
        ? 'int'
        : 'double';
    case 'function':
      return 'javascript';
    default:
      break;
  }
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regex';
  const bsontype = (value as { _bsontype?: string })._bsontype;
  switch (bsontype) {
    case 'ObjectId':
      return 'objectId';
    case 'Long':
      return 'long';
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Decimal128':
      return 'decimal';
    case 'Binary':
      return 'binData';
    case 'Timestamp':
      return 'timestamp';
    case 'BSONRegExp':
      return 'regex';
    case 'Code':
      return 'javascript';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'BSONSymbol':
      return 'symbol';
    default:
      return 'object';
  }
}

/** True for the types `$inc` and `$mul` accept: int, long, double, decimal. */
export function isNumeric(value: unknown): boolean {
  if (typeof value === 'number' || typeof value === 'bigint') return true;
  return value instanceof Long || value instanceof Int32 || value instanceof Double || value instanceof Decimal128;
}

/** A value in mongod's shell-like notation: `"s"`, `5`, `ObjectId('…')`, `[ 1, 2 ]`, `{ a: 1 }`. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.length ? `[ ${value.map(formatValue).join(', ')} ]` : '[]';
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (value instanceof ObjectId) return `ObjectId('${value.toHexString()}')`;
  if (value instanceof Long) return `${value.toString()}`;
  if (value instanceof Decimal128) return `NumberDecimal("${value.toString()}")`;
  if (value instanceof Timestamp) return `Timestamp(${value.high}, ${value.low})`;
  if (value instanceof Binary) return `BinData(${value.sub_type}, ${value.toString('hex').toUpperCase()})`;
  if (value instanceof RegExp) return String(value);
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const entries = Object.entries(value as Document);
    return entries.length ? `{ ${entries.map(([k, v]) => `${k}: ${formatValue(v)}`).join(', ')} }` : '{}';
  }
  return EJSON.stringify(value as Document, { relaxed: true });
}

/** One field as mongod prints an element in braces: `{n: 5}`, `{_id: ObjectId('…')}`. */
export const formatElement = (field: string, value: unknown): string => `{${field}: ${formatValue(value)}}`;
