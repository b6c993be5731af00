// Inbound webhooks under a flood of unsigned posts: a rate limit per source and sending
// address before the signature is checked, rejections stored within a bound per source and
// a retention, and what was dropped counted in a metric.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAndRecord } from '../../core/inbox/record.js';
import { bearer, makeKey, startGateway, startJwks, token, type SigningKey, type TestGateway, type TestJwks } from './support.js';

async function rejectionCount(gw: TestGateway, source: string): Promise<number> {
  const row = await gw.layers.infra.store.db
    .selectFrom('inbox_rejections')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('source', '=', source)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

async function droppedMetric(gw: TestGateway, key: SigningKey, source: string): Promise<number> {
  const jwt = await token({ key, scope: 'ops:read', clientId: 'metrics-probe', sub: 'metrics-probe' });
  const text = await (await fetch(`${gw.url}/metrics`, { headers: bearer(jwt) })).text();
  const m = new RegExp(`^layer_inbox_rejections_dropped_total\\{source="${source}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

const unsigned = (gw: TestGateway, source: string, i: number) =>
  fetch(`${gw.url}/webhooks/${source}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'webhook-id': `msg_${i}`, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) },
    body: JSON.stringify({ attempt: i }),
  });

describe('inbound webhooks under a flood', () => {
  let key: SigningKey;
  let jwks: TestJwks;
  let gw: TestGateway;

  beforeAll(async () => {
    key = await makeKey();
    jwks = await startJwks([key]);
    gw = await startGateway(jwks.url, {
      WEBHOOK_RATE_LIMIT: '6',
      WEBHOOK_RATE_LIMIT_WINDOW_S: '60',
      WEBHOOK_REJECTIONS_MAX: '3',
      WEBHOOK_REJECTIONS_RETENTION_H: '1',
    });
  });
  afterAll(async () => {
    await gw?.close();
    await jwks?.close();
  });

  it('keeps at most the bound of rejections per source, counts the rest, then answers 429', async () => {
    const droppedBefore = await droppedMetric(gw, key, 'erp');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await unsigned(gw, 'erp', i)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    expect(await rejectionCount(gw, 'erp')).toBe(3);
    expect((await droppedMetric(gw, key, 'erp')) - droppedBefore).toBe(3);

    const limited = await unsigned(gw, 'erp', 6);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(limited.headers.get('ratelimit-policy')).toBe('"per-source";q=6;w=60');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Refused before the signature check: nothing more was stored or counted.
    expect(await rejectionCount(gw, 'erp')).toBe(3);
    expect((await droppedMetric(gw, key, 'erp')) - droppedBefore).toBe(3);
    // Another source has its own quota.
    expect((await unsigned(gw, 'scheduling', 0)).status).toBe(401);
  });

  it('forgets rejections older than the retention as new ones arrive', async () => {
    const hourAndASecond = 3_601_000;
    const inbound = {
      source: 'crm',
      headers: { id: 'msg_old', timestamp: '1', signature: 'v1,bm9wZQ==' },
      rawBody: Buffer.from('{}'),
    };
    const bounds = { maxPerSource: 3, retentionMs: 3_600_000 };
    const now = Date.now();
    for (let i = 0; i < 3; i++)
      await expect(verifyAndRecord(gw.layers.infra.store.db, ['whsec_x'], inbound, now, bounds)).rejects.toThrow();
    expect(await rejectionCount(gw, 'crm')).toBe(3);
    await expect(verifyAndRecord(gw.layers.infra.store.db, ['whsec_x'], inbound, now + hourAndASecond, bounds)).rejects.toThrow();
    expect(await rejectionCount(gw, 'crm')).toBe(1);
  });
});
