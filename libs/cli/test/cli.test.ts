import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { moveToDeadLetter } from '@pixsim/bus';
import { createKeys } from '@pixsim/contracts';
import { parseCommand, runCli, type CliIo } from '../src/cli/index.js';
import { buildSubmitBody } from '../src/cli/commands/submit.js';
import { freePort } from '../src/supervisor/index.js';
import { startFakeGateway, type Route } from './fake-gateway.js';

function io(env: NodeJS.ProcessEnv, over: Partial<CliIo> = {}): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    env: { PIXSIM_DATA_DIR: '/nonexistent-pixsim', ...env },
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    isTTY: false,
    pollMs: 5,
    stdout: () => out,
    stderr: () => err,
    ...over,
  };
}

/** Records of one kind: `defaults`, with what a test overrides. */
const fixture = (defaults: Record<string, unknown>) => (over: Record<string, unknown>) => ({ ...defaults, ...over });

const job = fixture({
  id: 'job-1',
  status: 'PENDING',
  status_detail: null,
  error_code: null,
  error_message: null,
  asset_id: null,
});

/** A list route answering one page that holds `items`. */
const page =
  (...items: unknown[]): Route =>
  () => ({ status: 200, body: { items, next_cursor: null } });

/** A job that is PENDING, then PROCESSING twice, then ends as `last`. */
function jobSequence(last: Record<string, unknown>): Route {
  const states = [
    job({}),
    job({ status: 'PROCESSING', status_detail: 'generating' }),
    job({ status: 'PROCESSING', status_detail: 'generating' }),
    job(last),
  ];
  let i = 0;
  return () => ({ status: 200, body: states[Math.min(i++, states.length - 1)] });
}

/** Fake gateways for one describe block, each closed after its test. */
function useFakeGateways(): (routes: Record<string, Route>) => ReturnType<typeof startFakeGateway> {
  const open: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((close) => close()));
  });
  return async (routes) => {
    const g = await startFakeGateway(routes);
    open.push(g.close);
    return g;
  };
}

describe('pixsim argument parsing', () => {
  it('when a flag is unknown, then it is a usage error (exit 2) naming the flag', async () => {
    const t = io({});
    expect(await runCli(['submit', 'x', '--colour', 'red'], t)).toBe(2);
    expect(t.stderr()).toMatch(/submit: Unknown option '--colour'/);
  });

  it('when --duration is not an integer, then the usage error says which flag and what it got', () => {
    expect(() => buildSubmitBody(parseCommand(['submit', 'a cat', '--duration', 'five']))).toThrow(
      '--duration expects an integer >= 1, got "five"',
    );
  });

  it('when submit has no prompt, then it says how to give one', async () => {
    const t = io({});
    expect(await runCli(['submit', '--wait'], t)).toBe(2);
    expect(t.stderr()).toContain('submit needs a prompt: pixsim submit "a cat surfing" --wait');
  });

  it('when only some flags are given, then the body carries only those, and --image-url makes it image_to_video', () => {
    expect(buildSubmitBody(parseCommand(['submit', 'a', 'cat', '--model', 'v5', '--duration', '8']))).toEqual({
      operation_type: 'text_to_video',
      provider_id: 'pixverse',
      params: { prompt: 'a cat', model: 'v5', duration: 8 },
    });
    expect(
      buildSubmitBody(parseCommand(['submit', 'p', '--image-url', 'https://x/y.png', '--priority', '7'])),
    ).toMatchObject({
      operation_type: 'image_to_video',
      params: { prompt: 'p', image_url: 'https://x/y.png' },
      priority: 7,
    });
    expect(buildSubmitBody(parseCommand(['submit', 'p', '--callback-url', 'https://hooks.example.com/p']))).toEqual({
      operation_type: 'text_to_video',
      provider_id: 'pixverse',
      params: { prompt: 'p' },
      callback_url: 'https://hooks.example.com/p',
    });
  });

  it('when the command is unknown, then exit 2', async () => {
    const t = io({});
    expect(await runCli(['launch'], t)).toBe(2);
    expect(t.stderr()).toContain('unknown command "launch"');
  });
});

describe('pixsim against a gateway', () => {
  const gateway = useFakeGateways();

  it('when submit --wait sees the job complete, then it prints the id, a line per change and the video URL, exit 0', async () => {
    const g = await gateway({
      'POST /api/v1/jobs': () => ({ status: 202, body: job({}) }),
      'GET /api/v1/jobs/job-1': jobSequence({ status: 'COMPLETED', asset_id: 'a-1' }),
      'GET /api/v1/assets/a-1': () => ({ status: 200, body: { id: 'a-1', remote_url: 'https://cdn.example/v.mp4' } }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['submit', 'a cat surfing', '--wait'], t)).toBe(0);
    const lines = t.stdout().trim().split('\n');
    expect(lines[0]).toBe('job-1');
    expect(lines.slice(1, 4).map((l) => l.replace(/\s+[\d.]+s$/, ''))).toEqual([
      'PENDING',
      'PROCESSING (generating)',
      'COMPLETED',
    ]);
    expect(lines.at(-1)).toBe('https://cdn.example/v.mp4');
    expect(g.requests[0]).toMatchObject({
      authorization: 'Bearer tok',
      body: { operation_type: 'text_to_video', params: { prompt: 'a cat surfing' } },
    });
  });

  it('when the job fails, then it prints the error code and message, exit 1; on a TTY the progress redraws in place', async () => {
    const g = await gateway({
      'POST /api/v1/jobs': () => ({ status: 202, body: job({}) }),
      'GET /api/v1/jobs/job-1': jobSequence({
        status: 'FAILED',
        error_code: 'PROVIDER_MODERATION',
        error_message: 'refused by moderation',
      }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' }, { isTTY: true });
    expect(await runCli(['submit', 'x', '--wait'], t)).toBe(1);
    expect(t.stdout()).toContain('\r\x1b[KPROCESSING (generating)');
    expect(t.stdout()).toMatch(/FAILED after [\d.]+s: PROVIDER_MODERATION: refused by moderation\n$/);
  });

  it('when the gateway answers 400, then each bad field is listed', async () => {
    const g = await gateway({
      'POST /api/v1/jobs': () => ({
        status: 400,
        body: {
          error: {
            code: 'INVALID_PARAMS',
            message: 'm',
            details: [
              { field: 'params.model', message: 'must be one of v5, v6' },
              { field: 'params.duration', message: 'too long' },
            ],
          },
        },
      }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['submit', 'x', '--model', 'v9'], t)).toBe(1);
    expect(t.stderr()).toBe(
      'pixsim: the gateway rejected the request (400 INVALID_PARAMS):\n  params.model: must be one of v5, v6\n  ' +
        'params.duration: too long\n',
    );
  });

  it('when the gateway answers 401, then it says to set PIXSIM_TOKEN and where the token came from', async () => {
    const g = await gateway({
      'GET /api/v1/jobs': () => ({
        status: 401,
        body: { error: { code: 'UNAUTHORIZED', message: 'a valid bearer token is required' } },
      }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'stale' });
    expect(await runCli(['jobs'], t)).toBe(1);
    expect(t.stderr()).toMatch(
      /401 UNAUTHORIZED: a valid bearer token is required\); set PIXSIM_TOKEN \(or --token\).*came from PIXSIM_TOKEN/,
    );
  });

  it('when the gateway cannot be reached, then it asks whether `npm start` runs', async () => {
    const t = io({ PIXSIM_URL: `http://127.0.0.1:${await freePort()}`, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['jobs'], t)).toBe(1);
    expect(t.stderr()).toMatch(
      /cannot reach the gateway at .* \(ECONNREFUSED\): is `npm start` running\? Set PIXSIM_URL/,
    );
  });

  it('when neither --url/--token nor PIXSIM_* are set, then it uses what `npm start` wrote into the data dir', async () => {
    const g = await gateway({
      'GET /api/v1/jobs': page(
        job({
          status: 'FAILED',
          error_code: 'TIMEOUT',
          operation_type: 'text_to_video',
          params: { prompt: 'a cat' },
          created_at: new Date(Date.now() - 90_000).toISOString(),
        }),
      ),
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pixsim-cli-'));
    await writeFile(path.join(dir, 'admin.token'), 'from-file\n');
    await writeFile(path.join(dir, 'gateway.url'), `${g.url}\n`);
    const t = io({ PIXSIM_DATA_DIR: dir });
    expect(await runCli(['jobs', '--status', 'failed', '--limit', '5'], t)).toBe(0);
    await rm(dir, { recursive: true });
    expect(g.requests[0]).toMatchObject({
      url: '/api/v1/jobs?limit=5&status=FAILED',
      authorization: 'Bearer from-file',
    });
    expect(t.stdout()).toMatch(
      /^ID\s+STATUS\s+DETAIL\s+OPERATION\s+AGE\s+PROMPT\njob-1\s+FAILED\s+TIMEOUT\s+text_to_video\s+1m\s+a cat\n$/,
    );
  });

  it('when the gateway answers the streams view, then it is a table per stream and group', async () => {
    const g = await gateway({
      'GET /api/v1/admin/streams': () => ({
        status: 200,
        body: {
          streams: [
            {
              type: 'JOB_CREATED',
              stream: 'p:JOB_CREATED',
              length: 7,
              dlq_length: 1,
              groups: [{ group: 'dispatcher', consumers: 1, lag: 2, pending: 3, oldest_pending_ms: 4_000 }],
            },
          ],
        },
      }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['streams'], t)).toBe(0);
    expect(t.stdout()).toMatch(
      /STREAM\s+GROUP\s+LENGTH\s+LAG\s+PENDING\s+OLDEST PENDING\s+DLQ\nJOB_CREATED\s+dispatcher\s+7\s+2\s+3\s+4s\s+1\n/,
    );
  });
});

describe('pixsim job and cancel', () => {
  const gateway = useFakeGateways();
  const now = Date.parse('2026-01-01T12:00:00Z');
  const done = job({
    id: 'job-9',
    status: 'COMPLETED',
    asset_id: 'a-9',
    operation_type: 'text_to_video',
    params: { prompt: 'a fox' },
    created_at: '2026-01-01T11:59:00Z',
    started_at: '2026-01-01T11:59:02Z',
    completed_at: '2026-01-01T11:59:50Z',
    provider_job_id: '300000000042',
    retry_count: 1,
  });

  it('when a job is shown, then its status, times, provider id and video URL are one line each; --json adds the URL to the job', async () => {
    const g = await gateway({
      'GET /api/v1/jobs/job-9': () => ({ status: 200, body: done }),
      'GET /api/v1/assets/a-9': () => ({ status: 200, body: { id: 'a-9', remote_url: 'https://cdn.example/fox.mp4' } }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' }, { now: () => now });
    expect(await runCli(['job', 'job-9'], t)).toBe(0);
    expect(t.stdout().split('\n')).toEqual([
      'id         job-9',
      'status     COMPLETED',
      'operation  text_to_video',
      'prompt     a fox',
      'created    2026-01-01T11:59:00Z (1m ago)',
      'started    2026-01-01T11:59:02Z (58s ago)',
      'completed  2026-01-01T11:59:50Z (10s ago)',
      'provider   300000000042 (after 1 retry)',
      'video      https://cdn.example/fox.mp4',
      '',
    ]);
    const j = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['job', 'job-9', '--json'], j)).toBe(0);
    expect(JSON.parse(j.stdout())).toMatchObject({
      id: 'job-9',
      status: 'COMPLETED',
      video_url: 'https://cdn.example/fox.mp4',
    });
  });

  it('when a job has a callback_url, then its delivery is a line: not yet, given up (with how to resend), delivered', async () => {
    let answer: { status: number; body: unknown } = {
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'callback of job job-c not found' } },
    };
    const g = await gateway({
      'GET /api/v1/jobs/job-c': () => ({
        status: 200,
        body: job({
          id: 'job-c',
          status: 'FAILED',
          error_code: 'PROVIDER_FAILED',
          error_message: 'x',
          callback_url: 'https://hooks.example.com/p',
        }),
      }),
      'GET /api/v1/jobs/job-c/callback': () => answer,
    });
    const show = async () => {
      const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
      expect(await runCli(['job', 'job-c'], t)).toBe(0);
      return t
        .stdout()
        .split('\n')
        .find((l) => l.startsWith('callback'));
    };
    expect(await show()).toBe('callback   https://hooks.example.com/p: sent when the job ends');
    answer = {
      status: 200,
      body: {
        state: 'failed',
        attempts: 8,
        next_attempt_at: null,
        last_status: 410,
        last_error: 'answered 410: not retried',
      },
    };
    expect(await show()).toBe(
      'callback   https://hooks.example.com/p: given up after 8 attempts: answered 410: not retried (POST ' +
        '/api/v1/jobs/job-c/callback/resend sends it again)',
    );
    answer = {
      status: 200,
      body: { state: 'delivered', attempts: 1, next_attempt_at: null, last_status: 204, last_error: null },
    };
    expect(await show()).toBe('callback   https://hooks.example.com/p: delivered (1 attempt, answered 204)');
    answer = { status: 500, body: { error: { code: 'INTERNAL', message: 'boom' } } };
    const broken = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['job', 'job-c'], broken)).toBe(1); // only a 404 means "none yet"
  });

  it('when a failed job is shown, then its error is a line; --wait on a running job follows it to the end', async () => {
    const g = await gateway({
      'GET /api/v1/jobs/job-f': () => ({
        status: 200,
        body: job({ id: 'job-f', status: 'FAILED', error_code: 'PROVIDER_MODERATION', error_message: 'refused' }),
      }),
      'GET /api/v1/jobs/job-1': jobSequence({ status: 'COMPLETED', asset_id: 'a-1' }),
      'GET /api/v1/assets/a-1': () => ({ status: 200, body: { id: 'a-1', remote_url: 'https://cdn.example/v.mp4' } }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['job', 'job-f'], t)).toBe(0);
    expect(t.stdout()).toMatch(/^id\s+job-f\nstatus\s+FAILED\nerror\s+PROVIDER_MODERATION: refused\n/);
    expect(t.stdout()).toMatch(/\nvideo\s+-\n$/);
    const w = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['job', 'job-1', '--wait'], w)).toBe(0);
    expect(w.stdout().trim().split('\n').at(-1)).toBe('https://cdn.example/v.mp4');
  });

  it('when a job is cancelled, then the answer says so; a job that already ended is a 409 reported with exit 1', async () => {
    const g = await gateway({
      'DELETE /api/v1/jobs/job-1': () => ({
        status: 202,
        body: job({ status: 'PENDING', status_detail: 'cancelling' }),
      }),
      'DELETE /api/v1/jobs/job-9': () => ({
        status: 409,
        body: { error: { code: 'JOB_ALREADY_ENDED', message: 'job job-9 is COMPLETED' } },
      }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['cancel', 'job-1'], t)).toBe(0);
    expect(t.stdout()).toBe('job-1: cancel requested (now PENDING, cancelling); pixsim job job-1 --wait follows it\n');
    const ended = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['cancel', 'job-9'], ended)).toBe(1);
    expect(ended.stderr()).toContain('409 JOB_ALREADY_ENDED: job job-9 is COMPLETED');
    const none = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['cancel'], none)).toBe(2);
    expect(none.stderr()).toContain('cancel needs a job id (pixsim jobs lists them)');
  });
});

describe('pixsim accounts', () => {
  const gateway = useFakeGateways();
  const now = Date.parse('2026-01-01T12:00:00Z');
  const account = fixture({
    id: 'acc-1',
    provider_id: 'pixverse',
    email: 'a@example.com',
    nickname: null,
    status: 'ACTIVE',
    credits: 900,
    cooldown_until: null,
    max_concurrent_jobs: 5,
    in_flight: 2,
    priority: 1,
    total_submitted: 40,
    total_failed: 1,
    last_used: '2026-01-01T11:59:30Z',
    created_at: '2025-12-01T00:00:00Z',
  });

  it('when accounts are listed, then each is a row with its cooldown, fill and last use; a filter goes to the query', async () => {
    const g = await gateway({
      'GET /api/v1/accounts': page(
        account({}),
        account({
          id: 'acc-2',
          nickname: 'spare',
          status: 'RATE_LIMITED',
          cooldown_until: '2026-01-01T12:00:45Z',
          in_flight: 0,
          last_used: null,
        }),
      ),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' }, { now: () => now });
    expect(await runCli(['accounts'], t)).toBe(0);
    expect(g.requests[0]!.url).toBe('/api/v1/accounts?limit=100');
    const lines = t.stdout().trim().split('\n');
    expect(lines[0]).toMatch(
      /^ID\s+PROVIDER\s+NAME\s+STATUS\s+CREDITS\s+IN FLIGHT\s+PRIORITY\s+SUBMITTED\s+FAILED\s+LAST USED$/,
    );
    expect(lines[1]).toMatch(/^acc-1\s+pixverse\s+a@example\.com\s+ACTIVE\s+900\s+2\/5\s+1\s+40\s+1\s+30s ago$/);
    expect(lines[2]).toMatch(
      /^acc-2\s+pixverse\s+spare\s+RATE_LIMITED \(cooling 45s\)\s+900\s+0\/5\s+1\s+40\s+1\s+never$/,
    );
    expect(lines).toHaveLength(3);

    const filtered = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['accounts', '--status', 'exhausted', '--limit', '5'], filtered)).toBe(0);
    expect(g.requests[1]!.url).toBe('/api/v1/accounts?limit=5&status=EXHAUSTED');
  });

  it('when no account can take a job, then it says new jobs will wait; with none at all, how to add one', async () => {
    const full = await gateway({
      'GET /api/v1/accounts': page(
        account({ in_flight: 5 }),
        account({ id: 'acc-2', status: 'EXHAUSTED', credits: 0 }),
      ),
    });
    const t = io({ PIXSIM_URL: full.url, PIXSIM_TOKEN: 'tok' }, { now: () => now });
    expect(await runCli(['accounts'], t)).toBe(0);
    expect(t.stdout()).toMatch(
      /\nnone can take a job right now: new jobs wait \(waiting_for_account\) until one frees up or is added\n$/,
    );
    const empty = await gateway({
      'GET /api/v1/accounts': page(),
    });
    const e = io({ PIXSIM_URL: empty.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['accounts'], e)).toBe(0);
    expect(e.stdout()).toBe(
      'no provider accounts: jobs wait (waiting_for_account) until one is added: pixsim accounts add ' +
        '--api-key-stdin < key.txt\n',
    );
    const bad = io({ PIXSIM_URL: empty.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['accounts', '--status', 'tired'], bad)).toBe(2);
    expect(bad.stderr()).toMatch(
      /--status must be one of ACTIVE, EXHAUSTED, RATE_LIMITED, ERROR, DISABLED, got "tired"/,
    );
  });
});

describe('pixsim accounts add', () => {
  const gateway = useFakeGateways();
  const created = {
    id: 'acc-9',
    provider_id: 'pixverse',
    email: null,
    nickname: 'night shift',
    status: 'ACTIVE',
    credits: 0,
    cooldown_until: null,
    max_concurrent_jobs: 3,
    in_flight: 0,
    priority: 5,
    total_submitted: 0,
    total_failed: 0,
    last_used: null,
  };

  it('when the key comes on stdin, then the POST carries it trimmed with the flags, and only the id and a hint are printed', async () => {
    const g = await gateway({ 'POST /api/v1/accounts': () => ({ status: 201, body: created }) });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' }, { readStdin: async () => 'sk-live-123\n' });
    expect(
      await runCli(
        ['accounts', 'add', '--api-key-stdin', '--nickname', 'night shift', '--max-concurrent', '3', '--priority', '5'],
        t,
      ),
    ).toBe(0);
    expect(g.requests[0]).toMatchObject({
      authorization: 'Bearer tok',
      body: {
        provider_id: 'pixverse',
        api_key: 'sk-live-123',
        nickname: 'night shift',
        max_concurrent_jobs: 3,
        priority: 5,
      },
    });
    expect(t.stdout().split('\n')[0]).toBe('acc-9');
    expect(t.stdout()).toContain('added pixverse account night shift (up to 3 at once, priority 5)');
    expect(t.stdout()).not.toContain('sk-live-123');
  });

  it("when the key is missing, given twice, or a flag is out of range, then it is a usage error saying how; the gateway's refusal is shown as it is", async () => {
    const cases: Array<[string[], RegExp]> = [
      [['accounts', 'add'], /accounts add needs the provider API key: --api-key KEY, or --api-key-stdin/],
      [['accounts', 'add', '--api-key', 'k', '--api-key-stdin'], /give the API key once/],
      [['accounts', 'add', '--api-key', 'k', '--priority', '101'], /--priority expects an integer >= 0, got "101"/],
      [['accounts', '--api-key', 'k'], /--api-key is for pixsim accounts add/],
      [['accounts', 'remove'], /unknown accounts action "remove"/],
    ];
    for (const [argv, message] of cases) {
      const t = io({ PIXSIM_URL: 'http://127.0.0.1:9', PIXSIM_TOKEN: 'tok' }, { readStdin: async () => 'k' });
      expect(await runCli(argv, t), argv.join(' ')).toBe(2);
      expect(t.stderr()).toMatch(message);
    }
    const g = await gateway({
      'POST /api/v1/accounts': () => ({
        status: 400,
        body: { error: { code: 'VALIDATION_FAILED', message: 'email: Invalid email address' } },
      }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['accounts', 'add', '--api-key', 'k', '--email', 'nope'], t)).toBe(1);
    expect(t.stderr()).toMatch(/email: Invalid email address/);
  });
});

describe('pixsim resubmit', () => {
  const gateway = useFakeGateways();
  const failed = job({
    id: 'job-f',
    status: 'FAILED',
    error_code: 'PROVIDER_FAILED',
    operation_type: 'text_to_video',
    provider_id: 'pixverse',
    params: { prompt: 'a fox', model: 'v5' },
    priority: 7,
    name: 'fox',
    description: null,
    workspace_id: 'ws-1',
    callback_url: 'https://hooks.example.com/p',
    user_id: 'u-1',
    created_at: '2026-01-01T11:59:00Z',
  });

  it('when a failed job is resubmitted, then its request goes again as a new job and the new id is printed; --wait follows it', async () => {
    const g = await gateway({
      'GET /api/v1/jobs/job-f': () => ({ status: 200, body: failed }),
      'POST /api/v1/jobs': () => ({ status: 202, body: job({ id: 'job-2' }) }),
      'GET /api/v1/jobs/job-2': jobSequence({ id: 'job-2', status: 'COMPLETED', asset_id: 'a-2' }),
      'GET /api/v1/assets/a-2': () => ({
        status: 200,
        body: { id: 'a-2', remote_url: 'https://cdn.example/fox2.mp4' },
      }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['resubmit', 'job-f', '--wait'], t)).toBe(0);
    expect(g.requests[1]).toMatchObject({
      method: 'POST',
      body: {
        operation_type: 'text_to_video',
        provider_id: 'pixverse',
        params: { prompt: 'a fox', model: 'v5' },
        priority: 7,
        name: 'fox',
        description: null,
        workspace_id: 'ws-1',
        callback_url: 'https://hooks.example.com/p',
      },
    });
    expect(Object.keys(g.requests[1]!.body as object)).not.toContain('user_id');
    const lines = t.stdout().trim().split('\n');
    expect(lines[0]).toBe('job-2');
    expect(lines.at(-1)).toBe('https://cdn.example/fox2.mp4');
  });

  it('when the job is still running, then nothing is submitted and it says how to follow or cancel it', async () => {
    const g = await gateway({
      'GET /api/v1/jobs/job-r': () => ({ status: 200, body: job({ id: 'job-r', status: 'PROCESSING' }) }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['resubmit', 'job-r'], t)).toBe(1);
    expect(g.requests).toHaveLength(1);
    expect(t.stderr()).toContain(
      'job job-r is still PROCESSING: it may yet complete (pixsim job job-r --wait follows it; pixsim cancel job-r ' +
        'stops it)',
    );
  });
});

describe('pixsim callbacks', () => {
  const gateway = useFakeGateways();
  const now = Date.parse('2026-01-01T12:00:00Z');
  const cb = fixture({
    job_id: 'job-1',
    user_id: 'u-1',
    url: 'https://hooks.example.com/pixsim',
    event: 'job.completed',
    state: 'failed',
    attempts: 8,
    next_attempt_at: null,
    last_status: 503,
    last_error: 'answered 503',
    created_at: '2026-01-01T11:00:00Z',
  });

  it('when failed callbacks are listed, then each is a row with whose, where and the last answer, and the way to resend them', async () => {
    const g = await gateway({
      'GET /api/v1/admin/callbacks': page(
        cb({}),
        cb({
          job_id: 'job-2',
          user_id: null,
          state: 'pending',
          attempts: 2,
          next_attempt_at: '2026-01-01T12:00:30Z',
          created_at: '2026-01-01T11:59:00Z',
        }),
      ),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' }, { now: () => now });
    expect(await runCli(['callbacks', '--state', 'FAILED', '--limit', '10'], t)).toBe(0);
    expect(g.requests[0]!.url).toBe('/api/v1/admin/callbacks?limit=10&state=failed');
    const lines = t.stdout().trim().split('\n');
    expect(lines[0]).toMatch(/^JOB\s+USER\s+URL\s+EVENT\s+STATE\s+ATTEMPTS\s+LAST\s+AGE$/);
    expect(lines[1]).toMatch(
      /^job-1\s+u-1\s+https:\/\/hooks\.example\.com\/pixsim\s+job\.completed\s+failed\s+8\s+answered 503\s+1h$/,
    );
    expect(lines[2]).toMatch(/^job-2\s+-\s+.*pending \(next in 30s\)\s+2\s+/);
    expect(lines.at(-1)).toBe(
      'once a receiver answers again: pixsim callbacks resend (all given-up ones) or --ids JOB,JOB',
    );
  });

  it('when resent, then the body carries the ids or the count, and the answer says how many; misuse is a usage error', async () => {
    const g = await gateway({
      'POST /api/v1/admin/callbacks/resend': (req) => ({
        status: 202,
        body: { resent: (req.body as { ids?: string[] }).ids?.length ?? 0 },
      }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['callbacks', 'resend', '--ids', 'job-1, job-2'], t)).toBe(0);
    expect(g.requests[0]!.body).toEqual({ ids: ['job-1', 'job-2'] });
    expect(t.stdout()).toBe(
      '2 given-up callbacks pending again, with fresh attempts: pixsim callbacks --state pending follows them\n',
    );
    const none = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['callbacks', 'resend'], none)).toBe(0);
    expect(g.requests[1]!.body).toEqual({});
    expect(none.stdout()).toMatch(/^nothing to resend/);
    for (const [argv, message] of [
      [['callbacks', 'resend', '--ids', 'a', '--count', '2'], /give --ids or --count, not both/],
      [['callbacks', '--state', 'lost'], /--state must be one of pending, delivered, failed/],
      [['callbacks', '--count', '2'], /--count is for pixsim callbacks resend/],
    ] as Array<[string[], RegExp]>) {
      const bad = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
      expect(await runCli(argv, bad), argv.join(' ')).toBe(2);
      expect(bad.stderr()).toMatch(message);
    }
  });
});

describe('pixsim dlq against a gateway', () => {
  const gateway = useFakeGateways();
  const letter = {
    id: '1700000000000-0',
    event_id: 'evt-1',
    event_type: 'JOB_CREATED',
    group: 'dispatcher',
    consumer: 'dispatcher-1',
    code: 'SCHEMA_INVALID',
    reason: 'JOB_CREATED evt-1:\n  data.params.prompt: required',
    deliveries: 1,
    source_id: '1-0',
    dead_at: new Date(Date.now() - 120_000).toISOString(),
    fields: { id: 'evt-1' },
  };

  it('when no type is given, then it names only the streams holding dead letters, and how to look closer', async () => {
    const g = await gateway({
      'GET /api/v1/admin/streams': () => ({
        status: 200,
        body: {
          streams: [
            { type: 'JOB_REQUESTED', dlq_length: 0, groups: [] },
            { type: 'JOB_CREATED', dlq_length: 3, groups: [] },
          ],
        },
      }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['dlq'], t)).toBe(0);
    expect(t.stdout()).toBe(
      'STREAM       DEAD LETTERS\nJOB_CREATED  3\nsee why: pixsim dlq TYPE; once the cause is fixed: pixsim dlq ' +
        'replay TYPE\n',
    );
  });

  it('when a type is given, then each dead letter is a row with its group, code, age and reason on one line', async () => {
    const g = await gateway({
      'GET /api/v1/admin/dlq/JOB_CREATED': () => ({
        status: 200,
        body: { type: 'JOB_CREATED', items: [letter], next_cursor: '1700000000000-0' },
      }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['dlq', 'job_created', '--limit', '1'], t)).toBe(0);
    expect(g.requests[0]!.url).toBe('/api/v1/admin/dlq/JOB_CREATED?limit=1');
    const lines = t.stdout().split('\n');
    expect(lines[0]).toMatch(/^ID\s+EVENT\s+GROUP\s+CODE\s+DELIVERIES\s+AGE\s+REASON$/);
    expect(lines[1]).toMatch(
      /^1700000000000-0\s+evt-1\s+dispatcher\s+SCHEMA_INVALID\s+1\s+2m\s+JOB_CREATED evt-1: data\.params\.prompt: required$/,
    );
    expect(lines[2]).toBe('more than 1: --limit up to 100, or --json for the whole entries');
    expect(lines[3]).toBe('replay once the cause is fixed: pixsim dlq replay JOB_CREATED [--ids ID,ID]');
  });

  it('when replay is asked with ids, then those are sent and the count is reported', async () => {
    const g = await gateway({
      'POST /api/v1/admin/dlq/JOB_CREATED/replay': () => ({ status: 200, body: { type: 'JOB_CREATED', replayed: 2 } }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['dlq', 'replay', 'JOB_CREATED', '--ids', '1-0, 2-0'], t)).toBe(0);
    expect(g.requests[0]!.body).toEqual({ ids: ['1-0', '2-0'] });
    expect(t.stdout()).toBe(
      'replayed 2 JOB_CREATED entries: every group handles them again (handlers are idempotent on the event id)\n',
    );
  });

  it('when the type, the ids or the flags are wrong, then exit 2 saying which and why, before anything is sent', async () => {
    const g = await gateway({});
    const cases: Array<[string[], RegExp]> = [
      [['dlq', 'NOPE'], /unknown event type "NOPE"; one of: JOB_REQUESTED, JOB_CREATED/],
      [['dlq', 'replay'], /dlq replay needs an event type, one of: JOB_REQUESTED/],
      [['dlq', 'replay', 'JOB_CREATED', '--ids', 'abc'], /--ids expects dead letter ids .* got "abc"/],
      [['dlq', 'replay', 'JOB_CREATED', '--ids', '1-0', '--count', '5'], /give --ids or --count, not both/],
      [['dlq', 'JOB_CREATED', '--limit', '0'], /--limit expects an integer >= 1, got "0"/],
      [['dlq', 'JOB_CREATED', 'JOB_FAILED'], /dlq takes at most one event type/],
    ];
    for (const [argv, message] of cases) {
      const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
      expect(await runCli(argv, t), argv.join(' ')).toBe(2);
      expect(t.stderr(), argv.join(' ')).toMatch(message);
    }
    expect(g.requests).toEqual([]);
  });
});

describe('pixsim dlq without a gateway', () => {
  it('when the gateway cannot be reached, then it lists and replays dead letters straight from Redis', async () => {
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const keys = createKeys(prefix);
    const redis = new Redis('redis://127.0.0.1:6379');
    const stream = keys.stream('JOB_CREATED');
    try {
      await redis.xgroup('CREATE', stream, 'dispatcher', '$', 'MKSTREAM');
      for (const id of ['evt-a', 'evt-b']) {
        const fields = ['id', id, 'type', 'JOB_CREATED', 'v', '1', 'data', '{}'];
        const sourceId = (await redis.xadd(stream, '*', ...fields))!;
        await moveToDeadLetter(redis, keys, 'JOB_CREATED', fields, {
          reason: `bad ${id}`,
          code: 'SCHEMA_INVALID',
          group: 'dispatcher',
          consumer: 'c',
          sourceId,
          deliveries: 1,
        });
      }
      const env = { PIXSIM_URL: `http://127.0.0.1:${await freePort()}`, PIXSIM_TOKEN: 'tok', STREAM_PREFIX: prefix };
      const summary = io(env);
      expect(await runCli(['dlq'], summary)).toBe(0);
      expect(summary.stderr()).toContain(`reading Redis directly at redis://127.0.0.1:6379 (prefix ${prefix}) instead`);
      expect(summary.stdout()).toMatch(/^STREAM\s+DEAD LETTERS\nJOB_CREATED\s+2\n/);
      const listed = io(env);
      expect(await runCli(['dlq', 'JOB_CREATED', '--json'], listed)).toBe(0);
      const items = JSON.parse(listed.stdout()) as Array<{ id: string; event_id: string; reason: string }>;
      expect(items.map((d) => [d.event_id, d.reason])).toEqual([
        ['evt-a', 'bad evt-a'],
        ['evt-b', 'bad evt-b'],
      ]);
      const replayed = io(env);
      expect(await runCli(['dlq', 'replay', 'JOB_CREATED', '--ids', items[1]!.id], replayed)).toBe(0);
      expect(replayed.stdout()).toMatch(/^replayed 1 JOB_CREATED entry/);
      expect(await redis.xlen(keys.deadLetter('JOB_CREATED'))).toBe(1);
      const back = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
      expect(back.at(-1)![1].slice(0, 2)).toEqual(['id', 'evt-b']);
    } finally {
      await redis.del(stream, keys.deadLetter('JOB_CREATED'));
      redis.disconnect();
    }
  });
});

describe('pixsim streams without a gateway', () => {
  it('when the gateway cannot be reached, then it reads Redis directly and says so, and a group that does not exist shows as missing', async () => {
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const keys = createKeys(prefix);
    const redis = new Redis('redis://127.0.0.1:6379');
    await redis.xadd(keys.stream('JOB_CREATED'), '*', 'id', 'e1');
    try {
      const t = io({ PIXSIM_URL: `http://127.0.0.1:${await freePort()}`, PIXSIM_TOKEN: 'tok', STREAM_PREFIX: prefix });
      expect(await runCli(['streams'], t)).toBe(0);
      expect(t.stderr()).toContain(`reading Redis directly at redis://127.0.0.1:6379 (prefix ${prefix}) instead`);
      // No group was created: a lag figure there would pass for an idle system.
      expect(t.stdout()).toMatch(/JOB_CREATED\s+dispatcher\s+1\s+missing\s+0\s+-\s+0\n/);
      expect(t.stdout()).toMatch(/JOB_FAILED\s+dispatcher\s+0\s+missing\s+0\s+-\s+0\n/);
    } finally {
      await redis.del(keys.stream('JOB_CREATED'));
      redis.disconnect();
    }
  });
});

describe('pixsim users', () => {
  const gateway = useFakeGateways();
  const usage = (used: number, limit: number | null) => ({ limit, used, resets_at: null });
  const user = fixture({
    id: 'u-1',
    email: 'ann@example.com',
    role: 'user',
    disabled: false,
    created_at: '2026-01-01T11:00:00Z',
    quota: { max_active_jobs: 5, jobs_per_day: null, credits_per_day: null },
    quota_overrides: { max_active_jobs: 5 },
    usage: { max_active_jobs: usage(2, 5), jobs_per_day: usage(7, null), credits_per_day: usage(300, null) },
  });

  it('when users are listed, then each is a row with its state and quota usage', async () => {
    const g = await gateway({
      'GET /api/v1/admin/users': page(user({}), user({ id: 'u-2', disabled: true })),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['users', '--q', 'ann'], t)).toBe(0);
    expect(g.requests[0]!.url).toBe('/api/v1/admin/users?limit=50&q=ann');
    const lines = t.stdout().trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+EMAIL\s+ROLE\s+STATE\s+ACTIVE\s+JOBS TODAY\s+CREDITS TODAY$/);
    expect(lines[1]).toMatch(/^u-1\s+ann@example\.com\s+user\s+active\s+2\/5\s+7\/∞\s+300\/∞$/);
    expect(lines[2]).toMatch(/^u-2\s+.*disabled/);
  });

  it('when a user is disabled with --cancel-jobs, created, or given quotas, then the PATCH/POST bodies say so', async () => {
    const g = await gateway({
      'PATCH /api/v1/admin/users/u-1': (req) => ({
        status: 200,
        body: user({ disabled: Boolean((req.body as { disabled?: boolean }).disabled) }),
      }),
      'POST /api/v1/admin/users': () => ({ status: 201, body: user({ id: 'u-9', password: 'generated-pw' }) }),
    });
    const t = io({ PIXSIM_URL: g.url, PIXSIM_TOKEN: 'tok' });
    expect(await runCli(['users', 'disable', 'u-1', '--cancel-jobs'], t)).toBe(0);
    expect(g.requests[0]!.body).toEqual({ disabled: true, cancel_jobs: true });
    expect(t.stdout()).toContain('ann@example.com disabled');
    expect(await runCli(['users', 'quota', 'u-1', '--max-active', '3', '--jobs-per-day', 'default'], t)).toBe(0);
    expect(g.requests[1]!.body).toEqual({ quota: { max_active_jobs: 3, jobs_per_day: null } });
    expect(await runCli(['users', 'create', 'new@example.com', '--role', 'admin'], t)).toBe(0);
    expect(g.requests[2]!.body).toEqual({ email: 'new@example.com', role: 'admin' });
    expect(t.stdout()).toContain('password (shown once): generated-pw');
    expect(await runCli(['users', 'quota', 'u-1'], t)).toBe(2);
  });
});
