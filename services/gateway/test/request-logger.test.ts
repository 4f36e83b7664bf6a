import Fastify from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { requestLoggerFactory } from '../src/http/request-logger.js';
import { memoryLogger } from './helpers.js';

async function appWith(level: string) {
  const { logger, lines } = memoryLogger();
  logger.level = level;
  const app = Fastify({ loggerInstance: logger, childLoggerFactory: requestLoggerFactory, genReqId: () => 'req-1' });
  app.get('/quiet', async () => ({ ok: true }));
  app.get('/loud', async (request) => {
    request.log.warn({ job_id: 'j1' }, 'something to say');
    request.log.error(new Error('it broke'));
    request.log.info('plain %s', 'message');
    return { ok: true };
  });
  await app.ready();
  const child = vi.spyOn(logger, 'child'); // fastify makes its own at start; none per request
  return { app, lines, child };
}

describe('request logger', () => {
  it('when requests are answered, then no child logger is made for them', async () => {
    const { app, lines, child } = await appWith('warn');
    for (let i = 0; i < 3; i++) expect((await app.inject({ method: 'GET', url: '/quiet' })).statusCode).toBe(200);
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    await app.close();
  });

  it('when a handler logs, then each line carries the request id, its fields, and an error as err with its message', async () => {
    const { app, lines, child } = await appWith('info');
    await app.inject({ method: 'GET', url: '/loud' });
    const parsed = lines.map((l) => JSON.parse(l));
    const said = parsed.find((l) => l.msg === 'something to say');
    expect(said).toMatchObject({ reqId: 'req-1', job_id: 'j1', level: 40, service: 'gateway-test' });
    const broke = parsed.find((l) => l.msg === 'it broke');
    expect(broke).toMatchObject({ reqId: 'req-1', level: 50 });
    expect(broke.err.stack).toContain('it broke');
    expect(parsed.find((l) => l.msg === 'plain message')).toMatchObject({ reqId: 'req-1' });
    // fastify's own request lines (at info) carry it too
    expect(parsed.filter((l) => l.msg === 'request completed').map((l) => l.reqId)).toEqual(['req-1']);
    expect(child).not.toHaveBeenCalled();
    await app.close();
  });
});
