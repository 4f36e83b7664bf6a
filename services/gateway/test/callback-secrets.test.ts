import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackSecrets } from '../src/callbacks/callback-secrets.js';
import { createCallbackSender } from '../src/callbacks/callback-sender.js';
import { verifyCallback } from '../src/callbacks/callback-signature.js';
import { systemResolver } from '../src/jobs/public-url.js';
import { AUTH, bearer, CALLBACK_ROOT, createHarness, signUp, type Harness } from './helpers.js';

let h: Harness;
let url: string;
const got: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    got.push({ headers: req.headers, body });
    res.end('ok');
  });
});
beforeAll(async () => {
  h = await createHarness();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await h.close();
  await new Promise((resolve) => server.close(resolve));
});

const secretOf = async (token: string) =>
  (await h.app.inject({ method: 'GET', url: '/api/v1/users/me/callback-secret', headers: bearer(token) })).json()
    .secret as string;

/** The worker's sender, signing with the job owner's secrets as main.ts wires it. */
const sender = () => {
  const secrets = createCallbackSecrets({ root: CALLBACK_ROOT, graceS: 3_600, clock: h.clock });
  return createCallbackSender({
    secretsFor: async (userId) => {
      if (!userId) return [secrets.root];
      return secrets.signingSecrets((await h.identity.users.get(userId)) ?? { _id: userId });
    },
    timeoutMs: 2_000,
    allowPrivate: true,
    resolveHost: systemResolver,
    clock: h.clock,
  });
};
const deliver = async (userId: string) => {
  const body = JSON.stringify({ event: 'job.completed', user: userId, n: got.length });
  expect(await sender()({ _id: `d-${got.length}`, url, event: 'job.completed', body, user_id: userId }, 1)).toEqual({
    status: 200,
  });
  const last = got.at(-1)!;
  return { body: last.body, header: String(last.headers['x-pixsim-signature']) };
};
const now = () => Math.floor(h.clock().getTime() / 1000);

describe('per-user callback secrets', () => {
  it("when two users get callbacks, then each verifies with its owner's secret and fails with the other's", async () => {
    const [ann, bob] = [await signUp(h.app), await signUp(h.app)];
    const [annSecret, bobSecret] = [await secretOf(ann.token), await secretOf(bob.token)];
    expect(annSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(annSecret).not.toBe(bobSecret);
    expect(annSecret).not.toContain(CALLBACK_ROOT);

    const toAnn = await deliver(ann.id);
    const toBob = await deliver(bob.id);
    expect(verifyCallback(annSecret, toAnn.body, toAnn.header, now())).toBe(true);
    expect(verifyCallback(bobSecret, toAnn.body, toAnn.header, now())).toBe(false);
    expect(verifyCallback(bobSecret, toBob.body, toBob.header, now())).toBe(true);
    expect(verifyCallback(annSecret, toBob.body, toBob.header, now())).toBe(false);
    // The root itself does not verify either: a tenant's secret is not the operator's.
    expect(verifyCallback(CALLBACK_ROOT, toAnn.body, toAnn.header, now())).toBe(false);
  });

  it('when a user rotates, then deliveries carry both signatures until the grace ends, then only the new one', async () => {
    const ann = await signUp(h.app);
    const old = await secretOf(ann.token);
    const rotated = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users/me/callback-secret/rotate',
      headers: bearer(ann.token),
    });
    expect(rotated.statusCode).toBe(200);
    const { secret, previous_valid_until } = rotated.json();
    expect(secret).not.toBe(old);
    expect(await secretOf(ann.token)).toBe(secret);
    expect(Date.parse(previous_valid_until) - h.clock().getTime()).toBe(3_600_000);

    const during = await deliver(ann.id);
    expect(during.header.match(/v1=/g)).toHaveLength(2);
    expect(verifyCallback(secret, during.body, during.header, now())).toBe(true);
    expect(verifyCallback(old, during.body, during.header, now())).toBe(true);

    h.clock.advance(3_601_000);
    const after = await deliver(ann.id);
    expect(after.header.match(/v1=/g)).toHaveLength(1);
    expect(verifyCallback(secret, after.body, after.header, now())).toBe(true);
    expect(verifyCallback(old, after.body, after.header, now())).toBe(false);
  });

  it('when the bootstrap admin token asks, then it reads the secret its jobs are signed with but cannot rotate it (no account)', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/users/me/callback-secret', headers: AUTH });
    expect(res.statusCode).toBe(200);
    const toAdmin = await deliver('admin');
    expect(verifyCallback(res.json().secret, toAdmin.body, toAdmin.header, now())).toBe(true);
    const rotate = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users/me/callback-secret/rotate',
      headers: AUTH,
    });
    expect(rotate.statusCode).toBe(403);
  });
});
