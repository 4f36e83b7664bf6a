import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventData, SealedSecret } from '@pixsim/contracts';
import { openCredential } from '@pixsim/credentials';
import { createAccountUpdatedHandler } from '../src/handlers/read-model-handlers.js';
import { AUTH, createHarness, type Harness } from './helpers.js';
import { accountUpdated } from './events.js';
import { consumed } from './fakes.js';

const KEY = 'sk-live-very-secret-pixverse-key';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  h.app.inject({ method, url, headers: AUTH, ...(payload ? { payload } : {}) });

async function commands(accountId: string): Promise<Array<EventData<'ACCOUNT_COMMAND'>>> {
  return (await h.entries('ACCOUNT_COMMAND'))
    .map((e) => JSON.parse(e.fields.data!) as EventData<'ACCOUNT_COMMAND'>)
    .filter((c) => c.account_id === accountId);
}

async function createAccount(body: object = {}): Promise<string> {
  const res = await call('POST', '/api/v1/accounts', {
    provider_id: 'pixverse',
    api_key: KEY,
    nickname: 'main',
    ...body,
  });
  expect(res.statusCode).toBe(201);
  return res.json().id as string;
}

describe('POST /api/v1/accounts', () => {
  it('when an account is created, then 201 with the account shape and the key is nowhere in clear', async () => {
    const res = await call('POST', '/api/v1/accounts', {
      provider_id: 'pixverse',
      api_key: KEY,
      email: 'a@example.com',
      max_concurrent_jobs: 4,
      priority: 2,
    });
    expect(res.statusCode).toBe(201);
    const account = res.json();
    expect(account).toEqual({
      id: expect.stringMatching(/^[0-9A-Z]{26}$/),
      provider_id: 'pixverse',
      email: 'a@example.com',
      nickname: null,
      status: 'ACTIVE',
      credits: 0,
      cooldown_until: null,
      max_concurrent_jobs: 4,
      in_flight: 0,
      priority: 2,
      total_submitted: 0,
      total_failed: 0,
      last_used: null,
      created_at: expect.any(String),
    });
    expect(res.body).not.toContain(KEY);

    const [command] = await commands(account.id);
    expect(command).toMatchObject({
      action: 'create',
      provider_id: 'pixverse',
      max_concurrent_jobs: 4,
      priority: 2,
      is_private: false,
    });
    const sealed = (command as { credential: SealedSecret }).credential;
    expect(openCredential(h.opener, account.id, sealed)).toBe(KEY);
    // Bound to its account: the same value does not open as another account's key.
    expect(() => openCredential(h.opener, 'another-account', sealed)).toThrow(/does not open/);

    const streamText = JSON.stringify(await h.entries('ACCOUNT_COMMAND'));
    expect(streamText).not.toContain(KEY);
    const stored = await h.conn.collection('accounts').find({}).toArray();
    expect(JSON.stringify(stored)).not.toContain(KEY);
    expect(h.logLines.join('\n')).not.toContain(KEY);
    expect((await call('GET', `/api/v1/accounts/${account.id}`)).json()).toEqual(account);
  });

  it('when the body is bad, then 400 naming the fields and nothing is published', async () => {
    const before = (await h.entries('ACCOUNT_COMMAND')).length;
    const res = await call('POST', '/api/v1/accounts', { provider_id: 'pixverse', email: 'nope', credits: 5 });
    expect(res.statusCode).toBe(400);
    const fields = res.json().error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['api_key', 'email']));
    expect(res.json().error.message).toContain('credits');
    const unknown = await call('POST', '/api/v1/accounts', { provider_id: 'runway', api_key: KEY });
    expect(unknown.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'provider_id' }] });
    expect((await h.entries('ACCOUNT_COMMAND')).length).toBe(before);
  });

  it('when the dispatcher publishes its first ACCOUNT_UPDATED, then it replaces the provisional view', async () => {
    const id = await createAccount();
    await createAccountUpdatedHandler(h)(
      consumed('ACCOUNT_UPDATED', accountUpdated(id, 0, { credits: 90, nickname: 'main' })),
    );
    expect((await call('GET', `/api/v1/accounts/${id}`)).json()).toMatchObject({ credits: 90, max_concurrent_jobs: 3 });
  });
});

describe('account commands', () => {
  it('when PATCH changes fields and the key, then an update command carries them with the key sealed', async () => {
    const id = await createAccount();
    const res = await call('PATCH', `/api/v1/accounts/${id}`, {
      nickname: 'renamed',
      status: 'DISABLED',
      api_key: 'sk-new-key-123',
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().id).toBe(id);
    const update = (await commands(id)).find((c) => c.action === 'update') as Extract<
      EventData<'ACCOUNT_COMMAND'>,
      { action: 'update' }
    >;
    expect(update).toMatchObject({ nickname: 'renamed', status: 'DISABLED' });
    expect(openCredential(h.opener, id, update.credential!)).toBe('sk-new-key-123');
    expect(JSON.stringify(update)).not.toContain('sk-new-key-123');
  });

  it('when credits are added or the account deleted, then the matching commands are published', async () => {
    const id = await createAccount();
    expect((await call('POST', `/api/v1/accounts/${id}/credits`, { credits: 500 })).statusCode).toBe(202);
    expect((await call('DELETE', `/api/v1/accounts/${id}`)).statusCode).toBe(202);
    const actions = (await commands(id)).map((c) => c.action);
    expect(actions).toEqual(['create', 'add_credits', 'delete']);
    expect((await commands(id))[1]).toMatchObject({ credits: 500 });
  });

  it('when PATCH has nothing to change or a field that is not editable, then 400', async () => {
    const id = await createAccount();
    expect((await call('PATCH', `/api/v1/accounts/${id}`, {})).json().error.code).toBe('VALIDATION_FAILED');
    const res = await call('PATCH', `/api/v1/accounts/${id}`, { credits: 10 });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('credits');
    expect((await call('POST', `/api/v1/accounts/${id}/credits`, { credits: 0 })).statusCode).toBe(400);
  });

  it('when the account is unknown, then every route answers 404 and publishes nothing', async () => {
    const before = (await h.entries('ACCOUNT_COMMAND')).length;
    for (const [method, url, body] of [
      ['GET', '/api/v1/accounts/nope', undefined],
      ['PATCH', '/api/v1/accounts/nope', { nickname: 'x' }],
      ['DELETE', '/api/v1/accounts/nope', undefined],
      ['POST', '/api/v1/accounts/nope/credits', { credits: 1 }],
    ] as const) {
      const res = await call(method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
    expect((await h.entries('ACCOUNT_COMMAND')).length).toBe(before);
  });
});
