import { deserialize, serialize } from 'bson';
import type { Document } from 'bson';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

const HEADER = 16;
const MAX_MESSAGE = 48_000_000;
const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;

/** A message we cannot parse: the connection is closed. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export interface Request {
  opCode: typeof OP_QUERY | typeof OP_MSG;
  requestId: number;
  db: string;
  body: Document;
  /** The client wants no reply (unacknowledged write). */
  moreToCome: boolean;
}

/** Splits a TCP byte stream into whole messages by their length prefix. */
export class MessageFramer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const messages: Buffer[] = [];
    while (this.pending.length >= 4) {
      const length = this.pending.readInt32LE(0);
      if (length < HEADER || length > MAX_MESSAGE) throw new ProtocolError(`invalid message length ${length}`);
      if (this.pending.length < length) break;
      messages.push(this.pending.subarray(0, length));
      this.pending = this.pending.subarray(length);
    }
    return messages;
  }
}

function readDocument(buf: Buffer, offset: number, end: number): { doc: Document; next: number } {
  if (offset + 5 > end) throw new ProtocolError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new ProtocolError('BSON document overruns its message');
  try {
    return { doc: deserialize(buf.subarray(offset, offset + size)), next: offset + size };
  } catch (err) {
    throw new ProtocolError(`invalid BSON: ${(err as Error).message}`);
  }
}

function readCString(buf: Buffer, offset: number, end: number): { value: string; next: number } {
  const zero = buf.indexOf(0, offset);
  if (zero < 0 || zero >= end) throw new ProtocolError('unterminated string');
  return { value: buf.toString('utf8', offset, zero), next: zero + 1 };
}

export function decode(msg: Buffer): Request {
  const requestId = msg.readInt32LE(4);
  const opCode = msg.readInt32LE(12);
  if (opCode === OP_MSG) return decodeMsg(msg, requestId);
  if (opCode === OP_QUERY) return decodeQuery(msg, requestId);
  throw new ProtocolError(`unsupported opCode ${opCode}`);
}

function decodeMsg(msg: Buffer, requestId: number): Request {
  if (msg.length < HEADER + 5) throw new ProtocolError('OP_MSG too short');
  const flags = msg.readUInt32LE(HEADER);
  // Bits 0-15 are "required": refuse any we do not understand.
  if (flags & 0xffff & ~(CHECKSUM_PRESENT | MORE_TO_COME)) throw new ProtocolError(`unsupported OP_MSG flags ${flags}`);
  const end = flags & CHECKSUM_PRESENT ? msg.length - 4 : msg.length;
  let body: Document | undefined;
  const sequences: [string, Document[]][] = [];
  let offset = HEADER + 4;
  while (offset < end) {
    const kind = msg[offset++];
    if (kind === 0) {
      const { doc, next } = readDocument(msg, offset, end);
      body = doc;
      offset = next;
    } else if (kind === 1) {
      if (offset + 4 > end) throw new ProtocolError('truncated document sequence');
      const seqEnd = offset + msg.readInt32LE(offset);
      if (seqEnd > end || seqEnd <= offset + 4) throw new ProtocolError('document sequence overruns its message');
      const id = readCString(msg, offset + 4, seqEnd);
      const docs: Document[] = [];
      for (let at = id.next; at < seqEnd; ) {
        const { doc, next } = readDocument(msg, at, seqEnd);
        docs.push(doc);
        at = next;
      }
      sequences.push([id.value, docs]);
      offset = seqEnd;
    } else throw new ProtocolError(`unknown OP_MSG section kind ${String(kind)}`);
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section');
  for (const [id, docs] of sequences) body[id] = docs;
  const db = typeof body.$db === 'string' ? body.$db : 'admin';
  return { opCode: OP_MSG, requestId, db, body, moreToCome: (flags & MORE_TO_COME) !== 0 };
}

// Only the handshake arrives this way: `{ ismaster: 1 }` on `admin.$cmd`.
function decodeQuery(msg: Buffer, requestId: number): Request {
  const ns = readCString(msg, HEADER + 4, msg.length);
  const { doc } = readDocument(msg, ns.next + 8, msg.length);
  const body = (doc.$query ?? doc.query ?? doc) as Document;
  const db = ns.value.endsWith('.$cmd') ? ns.value.slice(0, -5) : 'admin';
  return { opCode: OP_QUERY, requestId, db, body, moreToCome: false };
}

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const buf = Buffer.alloc(HEADER);
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(requestId, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
  return buf;
}

/** An OP_REPLY to a legacy OP_QUERY, otherwise an OP_MSG with one body section. */
export function encodeReply(req: Request, body: Document, requestId: number): Buffer {
  const doc = Buffer.from(serialize(body, { ignoreUndefined: true }));
  if (req.opCode === OP_QUERY) {
    const prefix = Buffer.alloc(20);
    prefix.writeInt32LE(1, 16); // numberReturned; flags, cursorId and startingFrom stay 0
    return Buffer.concat([header(HEADER + 20 + doc.length, requestId, req.requestId, OP_REPLY), prefix, doc]);
  }
  const prefix = Buffer.alloc(5); // flagBits 0, then section kind 0
  return Buffer.concat([header(HEADER + 5 + doc.length, requestId, req.requestId, OP_MSG), prefix, doc]);
}
