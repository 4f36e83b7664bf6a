import { describe, it, expect } from 'vitest';
import { connect, createServer, type Socket } from 'node:net';
import { Schema } from 'mongoose';
import {
  closeMongo,
  connectMongo,
  DependencyRejectedError,
  DependencyUnreachableError,
  mongoPing,
} from '../src/index.js';
import { freePort, mongoUri, uniqueName } from '@pixsim/testkit';
import { memoryLogger } from './helpers.js';

/** A TCP relay to the test server that can be cut, to play an outage without stopping the server. */
async function relayTo(uri: string): Promise<{ uri: string; cut(): Promise<void> }> {
  const target = new URL(uri.replace(/^mongodb:/, 'http:'));
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 27017), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s)).on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

const warnings = (records: () => Record<string, unknown>[]) =>
  records()
    .filter((r) => r.level === 40 && String(r.msg).includes('disconnected'))
    .map((r) => r.msg);

describe('connectMongo', () => {
  it('when MongoDB is reachable, then it returns a working connection and mongoPing resolves', async () => {
    const { logger } = memoryLogger();
    const dbName = uniqueName('kit_test');
    const conn = await connectMongo({ uri: mongoUri(), dbName, logger });
    try {
      expect(conn.name).toBe(dbName);
      await expect(mongoPing(conn)).resolves.toBeUndefined();
      const Thing = conn.model('Thing', new Schema({ name: String }));
      await Thing.create({ name: 'a' });
      expect(await Thing.countDocuments()).toBe(1);
      await conn.dropDatabase();
    } finally {
      await conn.close();
    }
    await expect(mongoPing(conn)).rejects.toThrow(/connection is disconnected/);
  });

  it('when MONGODB_WRITE_CONCERN is majority, then every write asks for it, reads go to the primary, and writes still succeed', async () => {
    const { logger } = memoryLogger();
    const dbName = uniqueName('kit_test');
    const conn = await connectMongo({ uri: mongoUri(), dbName, logger, writeConcern: 'majority' });
    try {
      const options = conn.getClient().options;
      expect(options.writeConcern?.w).toBe('majority');
      expect(options.readPreference?.mode).toBe('primary');
      expect(options.retryWrites).toBe(true);
      await conn.collection('things').insertOne({ name: 'a' });
      expect(await conn.collection('things').countDocuments()).toBe(1);
      await conn.dropDatabase();
    } finally {
      await conn.close();
    }
  });

  it('when the service closes its connection with closeMongo, then nothing warns of a disconnect', async () => {
    const { logger, records } = memoryLogger();
    const conn = await connectMongo({ uri: mongoUri(), dbName: uniqueName('kit_test'), logger });
    await closeMongo(conn);
    await new Promise((r) => setTimeout(r, 100));
    expect(warnings(records)).toEqual([]);
    expect(records().some((r) => r.msg === 'mongodb connection closed')).toBe(true);
  });

  it('when the server goes away under an open connection, then the disconnect is a warning that says it reconnects', async () => {
    if (process.env.MONGODB_URI?.startsWith('mongodb+srv:')) return; // no single host to relay to
    const relay = await relayTo(mongoUri());
    const { logger, records } = memoryLogger();
    const conn = await connectMongo({
      uri: relay.uri,
      dbName: uniqueName('kit_test'),
      logger,
      connectOptions: { heartbeatFrequencyMS: 200 },
    });
    try {
      await relay.cut();
      await expect
        .poll(() => warnings(records), { timeout: 10_000, interval: 100 })
        .toEqual(['mongodb disconnected; the driver is reconnecting']);
    } finally {
      await closeMongo(conn).catch(() => {});
    }
  });

  it('when nothing listens on the port, then it retries with backoff and gives up with a clear error', async () => {
    const { logger, records } = memoryLogger();
    const port = await freePort();
    const err = await connectMongo({
      uri: `mongodb://127.0.0.1:${port}`,
      dbName: 'x',
      logger,
      attempts: 3,
      serverSelectionTimeoutMS: 300,
      backoff: { initialMs: 20, maxMs: 40 },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyUnreachableError);
    const e = err as DependencyUnreachableError;
    expect(e.code).toBe('DEPENDENCY_UNREACHABLE');
    expect(e.retryable).toBe(true);
    expect(e.attempts).toBe(3);
    expect(e.message).toContain(`mongodb at mongodb://127.0.0.1:${port} (db x) is not reachable after 3 attempts`);
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).toContain('Nothing is listening there');
    const retries = records().filter((r) => r.level === 40 && r.dependency === 'mongodb');
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(String(retries[0]?.msg)).toMatch(/attempt 1\/3.*retrying in \d+ ms/);
  });

  it('when the signal aborts while retrying, then it stops at once', async () => {
    const { logger } = memoryLogger();
    const port = await freePort();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 400);
    const started = Date.now();
    const err = await connectMongo({
      uri: `mongodb://127.0.0.1:${port}`,
      dbName: 'x',
      logger,
      attempts: Infinity,
      signal: controller.signal,
      serverSelectionTimeoutMS: 200,
      backoff: { initialMs: 50, maxMs: 100 },
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err).toBeInstanceOf(DependencyUnreachableError);
    expect((err as Error).message).toMatch(/gave up connecting to mongodb .*aborted/);
  });

  it('when the URI carries a password, then neither the error nor the logs contain it', async () => {
    const { logger, records } = memoryLogger();
    const port = await freePort();
    const err = await connectMongo({
      uri: `mongodb://user:hunter2@127.0.0.1:${port}/?authSource=admin`,
      dbName: 'x',
      logger,
      attempts: 2,
      serverSelectionTimeoutMS: 200,
      backoff: { initialMs: 10, maxMs: 10 },
    }).catch((e: unknown) => e);
    expect((err as Error).message).not.toContain('hunter2');
    expect(JSON.stringify(records())).not.toContain('hunter2');
  });

  it('when the URI is malformed, then it fails at once without retrying', async () => {
    const { logger } = memoryLogger();
    const err = await connectMongo({
      uri: 'mongodb://127.0.0.1:27017/?w=notanumber&tls=maybe',
      dbName: 'x',
      logger,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyRejectedError);
    expect((err as DependencyRejectedError).code).toBe('DEPENDENCY_REJECTED');
  });
});
