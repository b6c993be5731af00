// The partner mock against the contracts: every operation of every experience API answers from
// the contract's examples with a body its response schema accepts; a request the contract refuses
// gets 400 problem details, an unknown path 404, a wrong method 405; Prefer picks another answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, takeMockPreference, type RunningMock } from '../../scripts/mock/server.js';
import { createProject } from '../../sdk/examples/create-project.js';
import { experienceContracts, responseValidator, sampleRequest } from './contract-operations.js';

const contracts = await experienceContracts();

it('covers the four experience APIs', () => {
  expect(contracts.map((c) => c.name)).toEqual(['crm.v1', 'crm.v2', 'operations.v1', 'portal.v1']);
});

it('takes code= and example= out of Prefer and leaves the other preferences', () => {
  expect(takeMockPreference('wait=5, code=202')).toEqual({ preference: { code: '202' }, rest: 'wait=5' });
  expect(takeMockPreference('example="late"')).toEqual({ preference: { example: 'late' }, rest: undefined });
  expect(takeMockPreference(undefined)).toEqual({ preference: {}, rest: undefined });
});

for (const contract of contracts) {
  describe(`npm run mock -- ${contract.name}`, () => {
    let mock: RunningMock;
    const check = responseValidator(contract);
    const call = (path: string, init: RequestInit = {}) => fetch(`${mock.apiUrl}${path}`, init);

    beforeAll(async () => {
      mock = await startMock(contract.name);
    });
    afterAll(() => mock?.close());

    it.each(contract.operations.map((op) => [op.operationId, op] as const))(
      'answers %s from its example, valid against its schema',
      async (_, op) => {
        const request = sampleRequest(contract.document, op);
        const res = await call(request.path, {
          method: op.method,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        });
        const text = await res.text();
        expect(res.status, text).toBeGreaterThanOrEqual(200);
        expect(res.status, text).toBeLessThan(300);
        expect(check(op, res.status, res.headers.get('content-type') ?? '', JSON.parse(text))).toEqual([]);
      },
    );

    it('answers a request the contract refuses with 400 problem details naming the field', async () => {
      const op = contract.operations.find((o) => o.path.includes('{')) ?? contract.operations[0];
      const request = sampleRequest(contract.document, op);
      const bad = request.path.replace(/\/[^/]+$/, (last) => (op.path.endsWith('}') ? '/not%20an%20id' : `${last}?limit=0`));
      const res = await call(bad, {
        method: op.method,
        headers: request.headers,
        ...(request.body ? { body: JSON.stringify(request.body) } : {}),
      });
      const problem = (await res.json()) as { status: number; type: string; errors: Array<{ pointer: string }> };
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(problem).toMatchObject({ status: 400, type: '/problems/validation-failed' });
      expect(problem.errors.length).toBeGreaterThan(0);
      expect(check(op, 400, 'application/problem+json', problem)).toEqual([]);
    });

    it('answers a missing Idempotency-Key, an unknown path and a wrong method as problems', async () => {
      const keyed = contract.operations.find((o) => o.idempotencyKey);
      if (keyed) {
        const request = sampleRequest(contract.document, keyed);
        delete request.headers['Idempotency-Key'];
        const missing = await call(request.path, {
          method: keyed.method,
          headers: request.headers,
          body: JSON.stringify(request.body ?? {}),
        });
        expect(missing.status).toBe(400);
        expect(JSON.stringify(await missing.json())).toMatch(/idempotency-key/i);
      }

      const unknown = await call('/no-such-thing');
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);

      const wrong = await call(sampleRequest(contract.document, contract.operations[0]).path, { method: 'PUT' });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toContain(contract.operations[0].method);
    });

    it('answers Prefer: code=<status> with that documented response, and refuses an undocumented one', async () => {
      const op = contract.operations.find((o) => o.method === 'GET')!;
      const request = sampleRequest(contract.document, op);
      const limited = await call(request.path, { headers: { ...request.headers, Prefer: 'code=429' } });
      expect(limited.status).toBe(429);
      expect(check(op, 429, limited.headers.get('content-type') ?? '', await limited.json())).toEqual([]);
      const teapot = await call(request.path, { headers: { ...request.headers, Prefer: 'code=418' } });
      expect(teapot.status).toBe(400);
      expect(((await teapot.json()) as { detail: string }).detail).toMatch(/not a documented response/);
    });
  });
}

describe("docs/partners.md's worked example against the mock", () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startMock('crm.v2');
  });
  afterAll(() => mock?.close());

  it("creates and reads the project with the SDK, answered from crm.v2's examples", async () => {
    const opportunityId = '01a216af-078d-7328-958b-9c6112d64661';
    const { started, current } = await createProject(mock.url, 'no credentials needed for the mock', opportunityId);
    expect(started.opportunityId).toBe(opportunityId);
    expect(current).toMatchObject({ opportunityId, project: { code: 'PRJ-2026-0042' } });
  });

  it('surfaces a bad id as the 400 problem the contract documents', async () => {
    await expect(createProject(mock.url, 'x', 'not-an-id')).rejects.toMatchObject({
      status: 400,
      problem: { type: '/problems/validation-failed' },
    });
  });
});
