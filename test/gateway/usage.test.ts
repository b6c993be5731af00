// Usage recording through real HTTP: each matched call is counted per consumer, operation and
// contract version per day, calls to a deprecated version are listed apart, and the operations
// API and its console read them back. On SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../core/store/index.js';
import { createUsageRecorder, queryUsage, utcDay } from '../../core/usage/index.js';
import { operationsModule } from '../../experience-apis/operations/module.js';
import { migratedStore, testEngines } from '../support/stores.js';
import { operationsCatalogue } from '../support/operations-gateway.js';
import { widgetModules } from './fixtures/widgets-module.js';
import {
  bearer,
  fixtureCatalogue,
  makeKey,
  startGateway,
  startJwks,
  token,
  type Json,
  type TestGateway,
  type TestJwks,
} from './support.js';
import { waitFor } from '../support/wait-for.js';

describe.each(testEngines())('API usage on $name', (engine) => {
  let store: Store;
  let jwks: TestJwks;
  let gw: TestGateway;
  let partner: string;
  let crmApp: string;
  let ops: string;

  beforeAll(async () => {
    store = await migratedStore(engine);
    const key = await makeKey();
    jwks = await startJwks([key]);
    const operations = (await operationsCatalogue()).filter((c) => c.layer === 'experience');
    gw = await startGateway(
      jwks.url,
      { USAGE_FLUSH_INTERVAL_MS: '20' },
      {
        catalogue: [...(await fixtureCatalogue()), ...operations],
        apis: [...widgetModules, operationsModule],
        layers: { infra: { store } },
        startJourneys: false,
      },
    );
    partner = await token({ key, scope: 'widgets:read', clientId: 'partner-billing' });
    crmApp = await token({ key, scope: 'widgets:read', clientId: 'crm-app' });
    ops = await token({ key, scope: 'ops:read', clientId: 'ops-console' });
  });

  afterAll(async () => {
    await gw?.close();
    await jwks?.close();
    await store?.close();
  });

  const get = (path: string, jwt: string) => fetch(`${gw.url}${path}`, { headers: bearer(jwt) });

  it('counts each consumer per operation and version, and lists the callers of a deprecated version', async () => {
    // Deprecated v2: partner-billing twice, crm-app once; active v3: crm-app once.
    for (const [path, jwt] of [
      ['/system/widgets/v2/widgets', partner],
      ['/system/widgets/v2/widgets', partner],
      ['/system/widgets/v2/widgets', crmApp],
      ['/system/widgets/v3/widgets', crmApp],
    ] as const) {
      expect((await get(path, jwt)).status).toBe(200);
    }

    // The gateway buffers usage and flushes it every 20 ms here: wait until the calls reach the store.
    const report = await waitFor(async () => (await (await get('/experience/operations/v1/deprecated-usage?days=1', ops)).json()) as Json, {
      until: (body) => body.entries?.reduce((sum: number, e: Json) => sum + e.calls, 0) >= 3,
      what: 'three deprecated calls in the usage report',
      timeoutMs: 10_000,
    });
    expect(report.since).toBe(utcDay(Date.now()));
    expect(report.entries.map((e: Json) => [e.consumer, e.contract, e.calls, e.deprecated])).toEqual([
      ['crm-app', 'system/widgets/v2', 1, true],
      ['partner-billing', 'system/widgets/v2', 2, true],
    ]);
    expect(report.entries[0].operation).toMatch(/^list/);

    const res = await get(`/experience/operations/v1/usage?contract=${encodeURIComponent('system/widgets/v3')}`, ops);
    const all = (await res.json()) as Json;
    expect(res.status, JSON.stringify(all)).toBe(200);
    expect(all.entries).toEqual([
      expect.objectContaining({ consumer: 'crm-app', contract: 'system/widgets/v3', calls: 1, deprecated: false }),
    ]);
  });

  it('counts an error answer as a call and an error', async () => {
    // A query parameter the contract does not know: the validator refuses it, so no operation was called.
    expect((await get('/system/widgets/v3/widgets?colour=red', partner)).status).toBe(400);
    // Without the scope: the operation matched, the call is refused with 403 and counted as an error.
    expect((await get('/system/widgets/v3/widgets', ops)).status).toBe(403);
    const byOps = await waitFor(
      async () =>
        (await (
          await get(`/experience/operations/v1/usage?consumer=ops-console&contract=${encodeURIComponent('system/widgets/v3')}`, ops)
        ).json()) as Json,
      { until: (body) => body.entries?.length > 0, what: "ops-console's usage", timeoutMs: 10_000 },
    );
    expect(byOps.entries).toEqual([expect.objectContaining({ calls: 1, errors: 1 })]);
  });

  it('refuses a bad usage query with 400 and needs ops:read', async () => {
    expect((await get('/experience/operations/v1/usage?days=0', ops)).status).toBe(400);
    expect((await get('/experience/operations/v1/usage?contract=nope', ops)).status).toBe(400);
    expect((await get('/experience/operations/v1/usage', partner)).status).toBe(403);
  });

  it('adds counts from several flushes into one row per day and drops days past the retention', async () => {
    const recorder = createUsageRecorder(store, { flushIntervalMs: 60_000, retentionDays: 30 });
    const call = { consumer: 'batch', contract: 'system/erp/v1', version: '1.1.0', operation: 'listInvoices', deprecated: false };
    recorder.record({ ...call, status: 200 });
    await recorder.flush();
    recorder.record({ ...call, status: 502 });
    recorder.record({ ...call, status: 200, at: Date.now() - 40 * 86_400_000 });
    await recorder.stop();
    await createUsageRecorder(store, { flushIntervalMs: 60_000, retentionDays: 30 }).stop();
    const rows = await queryUsage(store.db, { since: '2000-01-01', consumer: 'batch' });
    // The 40-day-old call was written, then pruned by the retention of 30 days.
    expect(rows).toEqual([expect.objectContaining({ operation: 'listInvoices', calls: 2, errors: 1 })]);
  });
});
