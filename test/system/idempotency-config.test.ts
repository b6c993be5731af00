// The CRM and ERP system APIs keep idempotency keys for the configured retention
// (IDEMPOTENCY_RETENTION_HOURS), not the middleware's default of 24 hours: one
// idempotencyFor(infra) builds the middleware in every module.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../core/contracts/catalogue.js';
import { crmSystemModule } from '../../system-apis/crm/module.js';
import { erpSystemModule } from '../../system-apis/erp/module.js';
import { bearer, makeKey, startGateway, startJwks, token, type TestGateway, type TestJwks } from '../gateway/support.js';

const RETENTION_HOURS = 3;
/** A well-formed canonical id that no record has: the operation answers 404, an outcome the key stores. */
const UNKNOWN_ID = '01900000-0000-7000-8000-00000000abcd';

describe('idempotency configuration in the system APIs', () => {
  let jwks: TestJwks;
  let gateway: TestGateway;
  let headers: Record<string, string>;

  beforeAll(async () => {
    const key = await makeKey();
    jwks = await startJwks([key]);
    gateway = await startGateway(
      jwks.url,
      { SANDBOXES: 'embedded', IDEMPOTENCY_RETENTION_HOURS: String(RETENTION_HOURS) },
      { catalogue: await loadCatalogue(), apis: [crmSystemModule, erpSystemModule], startJourneys: false },
    );
    headers = {
      ...bearer(await token({ key, scope: 'crm:write erp:write', clientId: 'retention-test' })),
      'content-type': 'application/json',
    };
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    await jwks?.close();
  });

  const keyRow = (idempotencyKey: string) =>
    gateway.layers.infra.store.db
      .selectFrom('idempotency_keys')
      .select(['created_at', 'expires_at', 'state'])
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirstOrThrow();

  it.each([
    ['CRM', 'PATCH', `/system/crm/v1/clients/${UNKNOWN_ID}`, { website: 'https://www.example.com' }],
    ['ERP', 'POST', `/system/erp/v1/invoices/${UNKNOWN_ID}/post`, undefined],
  ])('%s keeps a key for IDEMPOTENCY_RETENTION_HOURS', async (_platform, method, path, body) => {
    const idempotencyKey = `retention-${method}-${path.length}`;
    const res = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { ...headers, 'idempotency-key': `"${idempotencyKey}"` },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status).toBe(404);
    const row = await keyRow(idempotencyKey);
    expect(row.state).toBe('completed');
    expect(Number(row.expires_at) - Number(row.created_at)).toBe(RETENTION_HOURS * 3_600_000);
  });
});
