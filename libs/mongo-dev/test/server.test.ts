import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { start } from '../src/index.js';
import { mongoTarget } from './mongo-target.js';
import type { MongoTarget } from './mongo-target.js';

const BIN = fileURLToPath(new URL('../bin/mongo-dev.js', import.meta.url));

let target: MongoTarget;
beforeAll(async () => {
  target = await mongoTarget();
});
afterAll(async () => {
  await target.close();
});

const withConnection = async <T>(
  uri: string,
  dbName: string,
  fn: (conn: mongoose.Connection) => Promise<T>,
): Promise<T> => {
  const conn = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 5_000 }).asPromise();
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
};

describe('server', () => {
  it('when a client sends an unknown command, then it gets code 59 CommandNotFound', async () => {
    const conn = await target.connect('unknown_cmd');
    const err = (await conn.db!.command({ noSuchThing: 1 }).catch((e: unknown) => e)) as {
      code?: number;
      codeName?: string;
    };
    expect(err.code).toBe(59);
    expect(err.codeName).toBe('CommandNotFound');
  });

  it('when the bin is started, then it prints the URI, serves clients and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const uri = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /mongo-dev listening: (mongodb:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`bin exited early with ${code}: ${out}`)));
    });
    const pong = await withConnection(uri, 'bin_check', async (conn) => conn.db!.command({ ping: 1 }));
    expect(pong.ok).toBe(1);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('when the bin gets an unknown flag, then it explains and exits 2', async () => {
    const child = spawn(process.execPath, [BIN, '--bogus'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/--bogus/);
  });

  it('when the bin gets a TTL monitor period that is not a positive integer, then it explains and exits 2', async () => {
    const child = spawn(process.execPath, [BIN, '--ttl-monitor-ms', 'soon'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/TTL monitor period/);
  });

  it('when a snapshot path is given, then data and unique indexes survive a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mongo-dev-'));
    const snapshotPath = join(dir, 'data.bson');
    try {
      const first = await start({ port: 0, snapshotPath });
      await withConnection(first.uri, 'snap', async (conn) => {
        await conn.collection('users').createIndex({ email: 1 }, { unique: true });
        await conn.collection('users').insertMany([{ email: 'a', at: new Date(5) }, { email: 'b' }]);
      });
      await first.stop();
      expect((await stat(snapshotPath)).mode & 0o777).toBe(0o600); // every service's data: owner-only
      const second = await start({ port: 0, snapshotPath });
      await withConnection(second.uri, 'snap', async (conn) => {
        const users = conn.collection('users');
        expect(await users.findOne({ email: 'a' }, { projection: { _id: 0 } })).toEqual({
          email: 'a',
          at: new Date(5),
        });
        const err = (await users.insertOne({ email: 'b' }).catch((e: unknown) => e)) as { code?: number };
        expect(err.code).toBe(11000);
      });
      await second.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('when a write is unacknowledged (w: 0), then the server sends no reply and still applies it', async () => {
    const conn = await target.connect('w0');
    const coll = conn.collection('fire');
    await coll.insertOne({ k: 1 }, { writeConcern: { w: 0 } });
    await expect.poll(() => coll.countDocuments({ k: 1 }), { timeout: 2_000 }).toBe(1);
    expect((await conn.db!.command({ ping: 1 })).ok).toBe(1);
  });

  it('when a client sends garbage bytes, then only that socket is closed', async () => {
    const server = await start({ port: 0 });
    try {
      const closed = await new Promise<boolean>((resolve) => {
        const socket = tcpConnect(server.port, '127.0.0.1', () =>
          socket.write(Buffer.from([0x05, 0, 0, 0, 1, 2, 3, 4, 5])),
        );
        socket.on('error', () => {});
        socket.once('close', () => resolve(true));
      });
      expect(closed).toBe(true);
      const pong = await withConnection(server.uri, 'after_garbage', async (conn) => conn.db!.command({ ping: 1 }));
      expect(pong.ok).toBe(1);
    } finally {
      await server.stop();
    }
  });

  it('when a transaction command arrives, then it fails with a clear IllegalOperation error', async () => {
    const server = await start({ port: 0 });
    try {
      const err = (await withConnection(server.uri, 'txn', async (conn) =>
        conn
          .db!.admin()
          .command({ commitTransaction: 1 })
          .catch((e: unknown) => e),
      )) as { code?: number; message?: string };
      expect(err.code).toBe(20);
      expect(err.message).toMatch(/not supported/);
    } finally {
      await server.stop();
    }
  });
});
