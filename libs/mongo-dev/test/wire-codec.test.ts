import { describe, expect, it } from 'vitest';
import { deserialize, serialize } from 'bson';
import type { Document } from 'bson';
import { decode, encodeReply, MessageFramer, OP_MSG, OP_QUERY, OP_REPLY, ProtocolError } from '../src/wire-codec.js';

function opMsg(flags: number, body: Document, sequence?: [string, Document[]], checksum = false): Buffer {
  const parts: Buffer[] = [Buffer.from([0]), Buffer.from(serialize(body))];
  if (sequence) {
    const docs = Buffer.concat(sequence[1].map((d) => Buffer.from(serialize(d))));
    const id = Buffer.from(`${sequence[0]}\0`);
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + id.length + docs.length);
    parts.push(Buffer.from([1]), size, id, docs);
  }
  if (checksum) parts.push(Buffer.alloc(4));
  const payload = Buffer.concat(parts);
  const head = Buffer.alloc(20);
  head.writeInt32LE(20 + payload.length, 0);
  head.writeInt32LE(7, 4);
  head.writeInt32LE(OP_MSG, 12);
  head.writeUInt32LE(flags, 16);
  return Buffer.concat([head, payload]);
}

describe('wire codec', () => {
  it('when an OP_MSG carries a document sequence and a checksum, then the sequence joins the body', () => {
    const req = decode(opMsg(1, { insert: 'c', $db: 'app' }, ['documents', [{ a: 1 }, { a: 2 }]], true));
    expect(req).toMatchObject({ opCode: OP_MSG, requestId: 7, db: 'app', moreToCome: false });
    expect(req.body.documents).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('when the moreToCome bit is set, then the request is marked as wanting no reply', () => {
    expect(decode(opMsg(2, { insert: 'c', $db: 'app' })).moreToCome).toBe(true);
  });

  it('when a message arrives in fragments, then the framer yields it whole once complete', () => {
    const msg = opMsg(0, { ping: 1, $db: 'admin' });
    const framer = new MessageFramer();
    expect(framer.push(msg.subarray(0, 10))).toEqual([]);
    const [whole] = framer.push(Buffer.concat([msg.subarray(10), msg.subarray(0, 3)]));
    expect(whole && decode(whole).body).toEqual({ ping: 1, $db: 'admin' });
  });

  it('when a length prefix or a section is invalid, then a ProtocolError is thrown', () => {
    expect(() => new MessageFramer().push(Buffer.from([3, 0, 0, 0]))).toThrow(ProtocolError);
    const bad = opMsg(0, { ping: 1 });
    bad[20] = 9;
    expect(() => decode(bad)).toThrow(ProtocolError);
    expect(() => decode(opMsg(1 << 5, { ping: 1 }))).toThrow(ProtocolError);
  });

  it('when a legacy OP_QUERY handshake is answered, then the reply is an OP_REPLY with one document', () => {
    const ns = Buffer.from('admin.$cmd\0');
    const query = Buffer.from(serialize({ ismaster: 1 }));
    const msg = Buffer.alloc(16 + 4 + ns.length + 8 + query.length);
    msg.writeInt32LE(msg.length, 0);
    msg.writeInt32LE(3, 4);
    msg.writeInt32LE(OP_QUERY, 12);
    ns.copy(msg, 20);
    query.copy(msg, 20 + ns.length + 8);
    const req = decode(msg);
    expect(req).toMatchObject({ opCode: OP_QUERY, db: 'admin', body: { ismaster: 1 } });
    const reply = encodeReply(req, { ok: 1 }, 99);
    expect(reply.readInt32LE(8)).toBe(3);
    expect(reply.readInt32LE(12)).toBe(OP_REPLY);
    expect(reply.readInt32LE(32)).toBe(1);
    expect(deserialize(reply.subarray(36))).toEqual({ ok: 1 });
  });
});
