// The operations API's refusals and edges through the real gateway: malformed queries,
// cursors and keys are clear 400s, pages do not repeat, and the unbilled-time figure is
// shown when time-to-billing answers and left out when it fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimeToBillingApi } from '../../process-apis/time-to-billing/index.js';
import { scopeOf, signedCursorOf } from '../../core/paging.js';
import type { Store } from '../../core/store/index.js';
import { OPERATIONS_CURSORS } from './read-model.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { bearer, type Json } from '../../test/gateway/support.js';
import { startOperationsGateway, type OpsHarness } from '../../test/support/operations-gateway.js';

const BASE = '/experience/operations/v1';
const engine = testEngines()[0]; // request handling is engine-independent; operations.test.ts covers both engines

/** A stand-in for time-to-billing's listUnbilledWork: two pages, or a failure. */
function unbilledWork(mode: { fail: boolean }) {
  return {
    async listUnbilledWork(query: { cursor?: string; limit: number }) {
      if (mode.fail) throw new Error('Time platform unavailable');
      return query.cursor
        ? { items: [{ approvedMinutes: 30 }], nextCursor: null }
        : { items: [{ approvedMinutes: 480 }, { approvedMinutes: 90 }], nextCursor: 'page-2' };
    },
  };
}

describe('operations API refusals and edges', () => {
  let store: Store;
  let ops: OpsHarness;
  const unbilledMode = { fail: false };

  const get = async (path: string) => {
    const res = await fetch(`${ops.gateway.url}${BASE}${path}`, { headers: bearer(ops.tokens.readWrite) });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Json };
  };

  beforeAll(async () => {
    store = await migratedStore(engine);
    ops = await startOperationsGateway(
      store,
      {},
      {
        // A stand-in that only lists unbilled work: the summary reads nothing else of time-to-billing.
        processApis: { timeToBilling: unbilledWork(unbilledMode) as unknown as TimeToBillingApi },
      },
    );
    for (let i = 1; i <= 3; i++) await ops.failedRun(`01a216af-0000-7000-8000-00000000c00${i}`);
  });
  afterAll(async () => {
    await ops?.close();
    await store?.close();
    await engine.cleanup();
  });

  it('answers malformed filters, limits and cursors with 400 problem details', async () => {
    for (const query of [
      'state=broken',
      'journey=unknown-journey',
      'limit=0',
      'limit=500',
      'createdAfter=yesterday',
      'cursor=!!',
      'surprise=1',
    ]) {
      const res = await get(`/runs?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.type).toMatch(/^application\/problem\+json/);
      expect(res.body.status).toBe(400);
    }
    // Correctly signed cursors whose position is not an id of the collection are refused all the same.
    const bad = { status: 400, body: { type: '/problems/bad-request', errors: [{ pointer: '/cursor', detail: 'invalid cursor' }] } };
    const runs = signedCursorOf(OPERATIONS_CURSORS.runs.purpose, { after: 'not-a-run-id' }, scopeOf({}));
    expect(await get(`/runs?cursor=${runs}`)).toMatchObject(bad);
    expect((await get('/dead-letters?status=lost')).status).toBe(400);
    const letters = signedCursorOf(OPERATIONS_CURSORS.deadLetters.purpose, { after: 0 }, scopeOf({ status: 'open' }));
    expect(await get(`/dead-letters?cursor=${letters}`)).toMatchObject(bad);
    expect(await get('/audit?cursor=bm90LWEtY3Vyc29y')).toMatchObject(bad);
  });

  it('refuses a malformed Idempotency-Key and a body that breaks the contract, with no side effect', async () => {
    const letters = (await get('/dead-letters')).body.items as Json[];
    const id = letters[0].id as number;
    const post = (path: string, headers: Record<string, string>, body?: unknown) =>
      fetch(`${ops.gateway.url}${BASE}${path}`, {
        method: 'POST',
        headers: { ...bearer(ops.tokens.readWrite), ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await post(`/dead-letters/${id}/replay`, { 'Idempotency-Key': 'no-quotes' })).status).toBe(400);
    expect(
      (await post(`/dead-letters/${id}/discard`, { 'Idempotency-Key': `"${crypto.randomUUID()}"` }, { reason: 'x'.repeat(501) })).status,
    ).toBe(400);
    expect(
      (await post(`/dead-letters/${id}/discard`, { 'Idempotency-Key': `"${crypto.randomUUID()}"` }, { reason: 'ok', extra: true })).status,
    ).toBe(400);
    expect(
      (
        await post(
          '/webhook-subscriptions',
          { 'Idempotency-Key': `"${crypto.randomUUID()}"` },
          { url: 'http://127.0.0.1:9/x', eventTypes: [] },
        )
      ).status,
    ).toBe(400);
    expect((await get(`/dead-letters/${id}`)).body.status).toBe('open');
    expect((await get('/audit')).body.items).toEqual([]);
  });

  it('pages through runs and dead letters without gaps or repeats', async () => {
    for (const path of ['/runs?limit=1', '/dead-letters?limit=1']) {
      const seen: unknown[] = [];
      let next: string | null = null;
      do {
        const page = await get(`${path}${next ? `&cursor=${next}` : ''}`);
        expect(page.status).toBe(200);
        seen.push(...(page.body.items as Json[]).map((i) => i.id));
        next = page.body.nextCursor as string | null;
      } while (next);
      expect(seen).toHaveLength(3);
      expect(new Set(seen).size).toBe(3);
    }
  });

  it('shows approved unbilled minutes summed over every page when time-to-billing answers, and leaves them out when it fails', async () => {
    expect((await get('/summary')).body.approvedUnbilledMinutes).toBe(600);
    unbilledMode.fail = true;
    try {
      const summary = await get('/summary');
      expect(summary.status).toBe(200);
      expect(summary.body).not.toHaveProperty('approvedUnbilledMinutes');
      expect(summary.body.openDeadLetters).toBe(3);
    } finally {
      unbilledMode.fail = false;
    }
  });
});
