import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stubGatewayApp } from '../../../apps/console/scripts/openapi-document.js';
import { fixOpenApiDocument, operationIdOf } from '../src/http/operation-ids.js';

type Doc = { paths: Record<string, Record<string, { operationId?: string }>> };

describe('the served OpenAPI document, for generated clients', () => {
  const app = stubGatewayApp();
  let served: Doc & Record<string, unknown>;
  beforeAll(async () => {
    await app.ready();
    served = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
  });
  afterAll(() => app.close());

  it("when linted with Redocly's recommended rules, then it has no errors", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(served), absoluteRef: 'openapi.json', config });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`);
    expect(errors).toEqual([]);
  });

  it('when every operation is listed, then each has its own readable operationId', () => {
    const ops = Object.entries(served.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ at: `${method.toUpperCase()} ${path}`, id: op.operationId })),
    );
    expect(ops.length).toBeGreaterThan(25);
    for (const op of ops) expect(op.id, op.at).toMatch(/^[a-z][A-Za-z]+$/);
    expect(new Set(ops.map((o) => o.id)).size).toBe(ops.length);
  });

  it('when generated clients name their methods, then the names stay what they were', () => {
    const ids = Object.fromEntries(
      Object.entries(served.paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op.operationId]),
      ),
    );
    expect(ids).toMatchObject({
      'POST /api/v1/jobs': 'createJob',
      'GET /api/v1/jobs': 'listJobs',
      'GET /api/v1/jobs/{id}': 'getJob',
      'DELETE /api/v1/jobs/{id}': 'cancelJob',
      'GET /api/v1/jobs/stats': 'getJobStats',
      'GET /api/v1/jobs/{id}/timeline': 'getJobTimeline',
      'GET /api/v1/jobs/{id}/events': 'streamJobEvents',
      'GET /api/v1/assets': 'listAssets',
      'GET /api/v1/accounts': 'listAccounts',
      'POST /api/v1/accounts': 'createAccount',
      'PATCH /api/v1/accounts/{id}': 'updateAccount',
      'POST /api/v1/accounts/{id}/credits': 'topUpAccount',
      'GET /api/v1/admin/streams': 'listStreams',
      'POST /api/v1/admin/dlq/{type}/replay': 'replayDeadLetters',
    });
  });
});

describe('operationIdOf', () => {
  it('when a route is not in the table, then its name derives from method and path', () => {
    expect(operationIdOf('GET', '/api/v1/widgets')).toBe('listWidgets');
    expect(operationIdOf('GET', '/api/v1/widgets/:id')).toBe('getWidget');
    expect(operationIdOf('POST', '/api/v1/widgets')).toBe('createWidget');
    expect(operationIdOf('PATCH', '/api/v1/widgets/:id/parts/:part')).toBe('updateWidgetPart');
  });

  it('when a schema is nullable without a type, then the fix moves null into its branches', () => {
    const doc = fixOpenApiDocument({
      paths: { '/x': { get: { schema: { anyOf: [{ type: 'string' }, { type: 'number' }], nullable: true } } } },
    }) as { servers: unknown[]; paths: Record<string, { get: { schema: Record<string, unknown> } }> };
    expect(doc.servers).toHaveLength(1);
    expect(doc.paths['/x']!.get.schema).toEqual({
      anyOf: [
        { type: 'string', nullable: true },
        { type: 'number', nullable: true },
      ],
    });
  });
});
