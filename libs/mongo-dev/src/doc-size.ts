import { calculateObjectSize } from 'bson';
import type { Document } from 'bson';
import { CommandError } from './errors.js';

/** mongod's BSONObjMaxUserSize: 16 MiB, the largest document it stores. */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

const sizeOf = (doc: Document): number => calculateObjectSize(doc, { ignoreUndefined: true });

/** An insert: code 2, as mongod's insert path answers. */
export function checkInsertSize(doc: Document): void {
  const size = sizeOf(doc);
  if (size > MAX_DOCUMENT_BYTES)
    throw new CommandError(
      2,
      'BadValue',
      `object to insert too large. size in bytes: ${size}, max size: ${MAX_DOCUMENT_BYTES}`,
    );
}

/** A document grown by an update. */
export function checkUpdatedSize(doc: Document): void {
  if (sizeOf(doc) > MAX_DOCUMENT_BYTES)
    throw new CommandError(
      17419,
      'Location17419',
      `Resulting document after update is larger than ${MAX_DOCUMENT_BYTES}`,
    );
}

/** The document an upsert would insert. */
export function checkUpsertSize(doc: Document): void {
  if (sizeOf(doc) > MAX_DOCUMENT_BYTES)
    throw new CommandError(17420, 'Location17420', `Document to upsert is larger than ${MAX_DOCUMENT_BYTES}`);
}
