// Every contract must load in express-openapi-validator, which the gateway validates
// requests with; and the shared components must behave there as documented
// (readOnly server fields, bounded pages, the Idempotency-Key structured-field string).
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import express, { type ErrorRequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue, PROJECT_ROOT, type ApiContract } from '../../core/contracts/index.js';
import { baseContract, scratchProject, writeContract } from './ruleset-fixture.js';

type Validated = { url: string; close: () => Promise<void> };

async function serve(contract: ApiContract): Promise<Validated> {
  const app = express();
  app.use(express.json({ type: ['application/json', 'application/cloudevents+json'] }));
  app.use(
    OpenApiValidator.middleware({
      // The validator's own OpenAPI type does not cover every 3.1 member; the bundled document is valid 3.1.
      apiSpec: contract.bundled as unknown as Parameters<typeof OpenApiValidator.middleware>[0]['apiSpec'],
      validateRequests: true,
      validateResponses: false,
      validateSecurity: false,
      ignoreUndocumented: true,
    }),
  );
  app.all('/{*rest}', (_req, res) => {
    res.status(200).json({ reached: true });
  });
  const onError: ErrorRequestHandler = (err: { status?: number; message: string; errors?: Array<{ path: string }> }, _req, res, _next) => {
    res.status(err.status ?? 500).json({ message: err.message, paths: (err.errors ?? []).map((e) => e.path) });
  };
  app.use(onError);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const base = contract.basePath === '/' ? '' : contract.basePath;
  return { url: `http://127.0.0.1:${port}${base}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('every contract in express-openapi-validator', () => {
  let catalogue: ApiContract[];
  beforeAll(async () => {
    catalogue = await loadCatalogue();
  });

  // Compiling every contract is CPU-bound; the cap only guards against a hang on a loaded machine.
  it('compiles each contract without schema errors', { timeout: 120_000 }, async () => {
    for (const contract of catalogue) {
      const server = await serve(contract);
      try {
        // Any request makes the validator compile the whole document; an invalid one answers 500.
        const response = await fetch(`${server.url}/not-in-any-contract`);
        expect(response.status, `${contract.file}: ${await response.text()}`).toBe(200);
      } finally {
        await server.close();
      }
    }
  });

  it('enforces the shared Idempotency-Key, limit and strict bodies on a process API', async () => {
    const contract = catalogue.find((c) => c.api === 'opportunity-to-project')!;
    const server = await serve(contract);
    try {
      const start = (key: string | undefined, body: unknown) =>
        fetch(`${server.url}/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
          body: JSON.stringify(body),
        });
      const valid = { opportunityId: '01a216af-078d-7328-958b-9c6112d64661' };
      expect((await start('"8e03978e-40d5-43e8"', valid)).status).toBe(200);
      expect((await start('8e03978e-40d5-43e8', valid)).status).toBe(400); // not a structured-field string
      expect((await start(undefined, valid)).status).toBe(400);
      const extra = await start('"k1"', { ...valid, budget: 1 });
      expect(extra.status).toBe(400);
      expect(((await extra.json()) as { paths: string[] }).paths).toContain('/body/budget');
      expect((await start('"k2"', { opportunityId: '42' })).status).toBe(400);
      expect((await fetch(`${server.url}/runs?limit=201`)).status).toBe(400);
      expect((await fetch(`${server.url}/runs?limit=200&cursor=eyJrIjoxfQ`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('readOnly server fields in requests', () => {
  let dir: string;
  let server: Validated;
  beforeAll(async () => {
    dir = await scratchProject(PROJECT_ROOT);
    const contract = baseContract();
    contract.servers[0].url = '/system/widgets/v1';
    // A canonical schema from the shared components as a request body.
    const createEngagement = structuredClone(contract.paths['/widgets'].post);
    createEngagement.operationId = 'createEngagement';
    createEngagement.requestBody.content['application/json'].schema = { $ref: '../components/schemas/commercial.yaml#/Engagement' };
    contract.paths['/engagements'] = { post: createEngagement };
    await writeContract(dir, 'openapi/system/widgets.v1.yaml', contract);
    const [widgets] = await loadCatalogue(dir);
    server = await serve(widgets);
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const create = (body: unknown) =>
    fetch(`${server.url}/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': '"w-1"' },
      body: JSON.stringify(body),
    });

  it('accepts a canonical body without its required readOnly id', async () => {
    expect((await create({ displayName: 'Left handle', price: { amountMinor: 1250, currency: 'EUR' } })).status).toBe(200);
  });

  it('accepts a canonical Engagement without its server fields and refuses one that sets them', async () => {
    const engagement = {
      clientId: '01a216af-078d-7328-958b-8bd1ae2df797',
      name: 'Finance transformation phase 1',
      billingModel: 'time-and-materials',
      currency: 'EUR',
      legalEntityId: '01a216af-078d-7328-958b-90f43299970c',
      budget: { amountMinor: 12000000, currency: 'EUR' },
      startDate: '2026-12-01',
      status: 'draft',
      billingHold: false,
    };
    const post = (body: unknown) =>
      fetch(`${server.url}/engagements`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': '"e-1"' },
        body: JSON.stringify(body),
      });
    expect((await post(engagement)).status).toBe(200);
    expect((await post({ ...engagement, createdAt: '2026-11-20T14:12:00Z' })).status).toBe(400);
    expect((await post({ ...engagement, billingModel: 'retainer' })).status).toBe(400);
    expect((await post({ ...engagement, startDate: '01/12/2026' })).status).toBe(400);
  });

  it('refuses a body that sets the readOnly id, a float amount or a lowercase currency', async () => {
    expect((await create({ id: '01a216af-078b-734e-a6c5-63f35c7d3ef9', displayName: 'Left handle' })).status).toBe(400);
    expect((await create({ displayName: 'Left handle', price: { amountMinor: 12.5, currency: 'EUR' } })).status).toBe(400);
    expect((await create({ displayName: 'Left handle', price: { amountMinor: 1250, currency: 'eur' } })).status).toBe(400);
  });
});
