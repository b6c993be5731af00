// The audit trail on both engines: recorded inside a transaction, queried by target and correlation id, paged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction, type Store } from '../store/index.js';
import { queryAudit, recordAudit } from './index.js';
import { newId } from '../xref/index.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';

describe.each(testEngines())('audit on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await migratedStore(engine);
  });
  afterAll(async () => {
    await store.close();
    await engine.cleanup();
  });

  it('records who did what to which target, when, with details', async () => {
    const target = newId();
    const before = Date.now();
    const rec = await recordAudit(store.db, {
      consumer: 'crm-app',
      action: 'engagement.created',
      targetType: 'engagement',
      targetId: target,
      correlationId: 'corr-1',
      details: { billingModel: 'fixed-fee', budget: { amountMinor: 125000, currency: 'EUR' } },
    });
    const page = await queryAudit(store, { targetType: 'engagement', targetId: target });
    expect(page.items).toEqual([rec]);
    expect(page.nextCursor).toBeNull();
    expect(Date.parse(rec.at)).toBeGreaterThanOrEqual(before - 1);
    expect(rec.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(page.items[0].details).toEqual({ billingModel: 'fixed-fee', budget: { amountMinor: 125000, currency: 'EUR' } });
  });

  it('an entry written in a transaction that rolls back is not kept', async () => {
    const target = newId();
    await withTransaction(store, async (trx) => {
      await recordAudit(trx, { consumer: 'ops', action: 'invoice.posted', targetType: 'invoice', targetId: target });
      throw new Error('posting failed');
    }).catch(() => undefined);
    expect((await queryAudit(store, { targetId: target })).items).toEqual([]);
  });

  it('finds every entry of one correlation id across targets, newest first or oldest first', async () => {
    const corr = `corr-${newId()}`;
    const actions = ['opportunity.closed-won', 'client.linked', 'engagement.created', 'staffing-request.created'];
    for (const [i, action] of actions.entries()) {
      await recordAudit(store.db, { consumer: 'workflow', action, targetType: `t${i}`, targetId: `id${i}`, correlationId: corr });
    }
    await recordAudit(store.db, { consumer: 'workflow', action: 'other', targetType: 't0', targetId: 'id0', correlationId: 'elsewhere' });
    const desc = await queryAudit(store, { correlationId: corr });
    expect(desc.items.map((i) => i.action)).toEqual([...actions].reverse());
    const asc = await queryAudit(store.db, { correlationId: corr, order: 'asc' });
    expect(asc.items.map((i) => i.action)).toEqual(actions);
  });

  it('pages with a cursor without gaps or repeats', async () => {
    const target = newId();
    for (let i = 0; i < 7; i++) {
      await recordAudit(store.db, { consumer: 'c', action: `step.${i}`, targetType: 'run', targetId: target });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await queryAudit(store, { targetType: 'run', targetId: target, limit: 3, cursor, order: 'asc' });
      seen.push(...page.items.map((i) => i.action));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => `step.${i}`));
  });

  it('rejects a bad limit or a forged cursor with a 400 problem', async () => {
    await expect(queryAudit(store, { limit: 0 })).rejects.toMatchObject({ status: 400, type: 'bad-request' });
    await expect(queryAudit(store, { limit: 1000 })).rejects.toMatchObject({ status: 400 });
    await expect(queryAudit(store, { cursor: 'not-a-cursor' })).rejects.toMatchObject({ status: 400 });
    const page = await queryAudit(store, { limit: 1, order: 'asc' });
    // A cursor from an ascending query is not valid for a descending one.
    await expect(queryAudit(store, { limit: 1, cursor: page.nextCursor!, order: 'desc' })).rejects.toMatchObject({ status: 400 });
  });
});
