// Outbox and in-process dispatch on both engines: events commit with the state change,
// reach matching subscribers, failures are retried, duplicates are absorbed, replay works.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { withTransaction, type Store } from '../store/index.js';
import { Registry } from 'prom-client';
import {
  consumeOnce,
  emit,
  emitMany,
  EventDispatcher,
  promEventMetrics,
  purgeEvents,
  replayEvents,
  retireLocalSubscriber,
  type DeliveredEvent,
} from './index.js';

describe.each(testEngines())('outbox and dispatcher on $name', (engine) => {
  let store: Store;
  beforeEach(async () => {
    store = await migratedStore(engine);
  });
  afterEach(() => store.close());
  afterAll(() => engine.cleanup());

  it('writes the event only if the transaction that caused it commits', async () => {
    await withTransaction(store, (trx) => emit(trx, { type: 'test.kept', source: '/test', data: { n: 1 } }));
    await expect(
      withTransaction(store, async (trx) => {
        await emit(trx, { type: 'test.lost', source: '/test' });
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    const rows = await store.db.selectFrom('event_outbox').select(['type', 'envelope']).execute();
    expect(rows.map((r) => r.type)).toEqual(['test.kept']);
    const envelope = JSON.parse(rows[0].envelope);
    expect(envelope).toMatchObject({ specversion: '1.0', type: 'test.kept', source: '/test', data: { n: 1 } });
    expect(new Date(envelope.time).toISOString()).toBe(envelope.time);
  });

  it('refuses a second event with the same source and id', async () => {
    await emit(store.db, { type: 't', source: '/dup', id: 'same' });
    await expect(emit(store.db, { type: 't', source: '/dup', id: 'same' })).rejects.toThrow();
    await emit(store.db, { type: 't', source: '/other', id: 'same' });
  });

  it('rejects an envelope that is not a valid CloudEvent', async () => {
    await expect(emit(store.db, { type: '', source: '/x' })).rejects.toMatchObject({ type: 'validation-failed' });
  });

  it('delivers each event to the subscribers whose pattern matches, in order', async () => {
    const seen: Record<string, string[]> = { all: [], billing: [], exact: [] };
    const dispatcher = new EventDispatcher({ store, batchSize: 7 })
      .subscribe({ name: 'all', types: ['*'], handle: (e) => void seen.all.push(e.type) })
      .subscribe({ name: 'billing', types: ['billing.*'], handle: (e) => void seen.billing.push(e.type) })
      .subscribe({ name: 'exact', types: ['crm.account.updated'], handle: (e) => void seen.exact.push(e.type) });
    const types = Array.from({ length: 20 }, (_, i) => (i % 2 ? `billing.invoice.v${i}` : 'crm.account.updated'));
    await emitMany(
      store.db,
      types.map((type) => ({ type, source: '/test' })),
    );
    await dispatcher.drain();
    expect(seen.all).toEqual(types);
    expect(seen.billing).toEqual(types.filter((t) => t.startsWith('billing.')));
    expect(seen.exact).toHaveLength(10);
    const pending = await store.db.selectFrom('event_outbox').select('seq').where('dispatched', '=', 0).execute();
    expect(pending).toHaveLength(0);
    await dispatcher.stop();
  });

  it('retries a failing subscriber without re-delivering to the others', async () => {
    let okCalls = 0;
    let flakyCalls = 0;
    const dispatcher = new EventDispatcher({ store, backoff: { baseDelayMs: 1, maxDelayMs: 2 } })
      .subscribe({ name: 'ok', types: ['*'], handle: () => void okCalls++ })
      .subscribe({
        name: 'flaky',
        types: ['*'],
        handle: () => {
          flakyCalls++;
          if (flakyCalls < 3) throw new Error('not yet');
        },
      });
    await emit(store.db, { type: 't', source: '/test' });
    await dispatcher.dispatchOnce();
    for (let i = 0; i < 50 && flakyCalls < 3; i++) {
      await new Promise((r) => setTimeout(r, 10));
      await dispatcher.deliverDueOnce();
    }
    expect(okCalls).toBe(1);
    expect(flakyCalls).toBe(3);
    const row = await store.db.selectFrom('event_deliveries').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ subscriber: 'local:flaky', state: 'delivered' });
    expect(Number(row.attempts)).toBe(3);
    await dispatcher.stop();
  });

  it('marks a delivery dead after its last attempt and counts it', async () => {
    const counts = { delivered: 0, failed: 0, dead: 0 };
    const dispatcher = new EventDispatcher({
      store,
      maxAttempts: 2,
      backoff: { baseDelayMs: 1, maxDelayMs: 1 },
      metrics: {
        delivered: (_s, n) => void (counts.delivered += n),
        failed: (_s, n) => void (counts.failed += n),
        dead: (_s, n) => void (counts.dead += n),
      },
    }).subscribe({
      name: 'broken',
      types: ['*'],
      handle: () => {
        throw new Error('always');
      },
    });
    await emit(store.db, { type: 't', source: '/test' });
    await dispatcher.dispatchOnce();
    // Stays: lets the 1 ms backoff fall due (a time window); nothing asserts on timing.
    await new Promise((r) => setTimeout(r, 5));
    await dispatcher.deliverDueOnce();
    const row = await store.db.selectFrom('event_deliveries').selectAll().executeTakeFirstOrThrow();
    expect(row.state).toBe('dead');
    expect(row.last_error).toBe('always');
    expect(counts).toEqual({ delivered: 0, failed: 1, dead: 1 });
    await dispatcher.stop();
  });

  it('consumeOnce gives one effect for repeated deliveries of one event', async () => {
    await store.db.schema.createTable('t_effects').addColumn('event_id', 'text').execute();
    const event = { source: '/test', id: 'evt-1' };
    const apply = () =>
      consumeOnce(store.db, 'projector', event, async (trx) => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table that exists only in this test
        await (trx as any).insertInto('t_effects').values({ event_id: event.id }).execute();
      });
    expect(await apply()).toBe(true);
    expect(await apply()).toBe(false);
    expect(await apply()).toBe(false);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    const effects = await (store.db as any).selectFrom('t_effects').selectAll().execute();
    expect(effects).toHaveLength(1);
  });

  it('replays events since a point in time to one subscriber only', async () => {
    const seen: Record<string, DeliveredEvent[]> = { a: [], b: [] };
    const dispatcher = new EventDispatcher({ store })
      .subscribe({ name: 'a', types: ['*'], handle: (e) => void seen.a.push(e) })
      .subscribe({ name: 'b', types: ['*'], handle: (e) => void seen.b.push(e) });
    await emitMany(store.db, [{ type: 'old', source: '/t' }]);
    // Stays: puts the old event strictly before `since` (a clock boundary, not an event to await).
    await new Promise((r) => setTimeout(r, 20));
    const since = new Date();
    await emitMany(store.db, [
      { type: 'new.1', source: '/t' },
      { type: 'new.2', source: '/t' },
    ]);
    await dispatcher.drain();
    expect(seen.a.map((e) => e.type)).toEqual(['old', 'new.1', 'new.2']);
    const scheduled = await replayEvents(store.db, 'local:a', since, await dispatcher.patternsOf('local:a'));
    expect(scheduled).toBe(2);
    await dispatcher.drain();
    expect(seen.a.map((e) => e.type)).toEqual(['old', 'new.1', 'new.2', 'new.1', 'new.2']);
    expect(seen.b).toHaveLength(3);
    // Replayed events keep their id, so consumers de-duplicate them.
    expect(seen.a[3].id).toBe(seen.a[1].id);
    await dispatcher.stop();
  });

  it('two dispatchers on one store never deliver one event twice while both hold leases', async () => {
    const counts = new Map<string, number>();
    const handle = (e: DeliveredEvent) => void counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
    const one = new EventDispatcher({ store, batchSize: 50 }).subscribe({ name: 's', types: ['*'], handle });
    const two = new EventDispatcher({ store, batchSize: 50 }).subscribe({ name: 's', types: ['*'], handle });
    await emitMany(
      store.db,
      Array.from({ length: 1000 }, (_, i) => ({ type: `t.${i}`, source: '/race' })),
    );
    await Promise.all([one.drain(), two.drain()]);
    expect(counts.size).toBe(1000);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    await Promise.all([one.stop(), two.stop()]);
  });

  it('runs as a loop that picks up new events by itself', async () => {
    const seen: string[] = [];
    const dispatcher = new EventDispatcher({ store, pollMs: 20 }).subscribe({
      name: 'loop',
      types: ['*'],
      handle: (e) => void seen.push(e.id),
    });
    dispatcher.start();
    const e = await emit(store.db, { type: 't', source: '/loop' });
    for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await dispatcher.stop();
    expect(seen).toEqual([e.id]);
  });

  it('reports delivered and failed counts to prom-client counters', async () => {
    const registry = new Registry();
    let first = true;
    const dispatcher = new EventDispatcher({ store, metrics: promEventMetrics(registry) }).subscribe({
      name: 'p',
      types: ['*'],
      handle: () => {
        if (first) {
          first = false;
          throw new Error('once');
        }
      },
    });
    await emitMany(store.db, [
      { type: 'a', source: '/m' },
      { type: 'b', source: '/m' },
    ]);
    await dispatcher.drain();
    const text = await registry.metrics();
    expect(text).toContain('layer_events_delivered_total{subscriber="local:p"} 1');
    expect(text).toContain('layer_events_failed_total{subscriber="local:p"} 1');
    await dispatcher.stop();
  });

  it('purges old dispatched events and finished deliveries, keeping what is still pending', async () => {
    let fail = true;
    const dispatcher = new EventDispatcher({ store, backoff: { baseDelayMs: 60_000, maxDelayMs: 60_000 } }).subscribe({
      name: 'q',
      types: ['keep'],
      handle: () => {
        if (fail) throw new Error('later');
      },
    });
    await emitMany(store.db, [
      { type: 'gone', source: '/r' },
      { type: 'keep', source: '/r' },
    ]);
    await emit(store.db, { type: 'gone', source: '/r' });
    await dispatcher.drain();
    fail = false;
    await consumeOnce(store.db, 'c', { source: '/r', id: 'x' }, async () => {});
    const result = await purgeEvents(store.db, new Date(Date.now() + 1_000));
    expect(result).toEqual({ events: 2, deliveries: 0, consumedMarkers: 1 });
    const left = await store.db.selectFrom('event_outbox').select('type').execute();
    expect(left.map((e) => e.type)).toEqual(['keep']);
    await dispatcher.stop();
  });

  it('keeps a batch leased while a slow subscriber works through it', async () => {
    const counts = new Map<string, number>();
    const slow = async (e: DeliveredEvent) => {
      counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
      // Stays: the slow subscriber itself (simulated work), not a wait for something to happen.
      await new Promise((r) => setTimeout(r, 40));
    };
    // The batch takes ~400 ms, the lease is 150 ms: without renewal the second dispatcher would take it over.
    const one = new EventDispatcher({ store, leaseMs: 150, batchSize: 10 }).subscribe({ name: 'slow', types: ['*'], handle: slow });
    const two = new EventDispatcher({ store, leaseMs: 150, batchSize: 10, pollMs: 20 }).subscribe({
      name: 'slow',
      types: ['*'],
      handle: slow,
    });
    await emitMany(
      store.db,
      Array.from({ length: 10 }, (_, i) => ({ type: `t.${i}`, source: '/slow' })),
    );
    const first = one.dispatchOnce();
    two.start();
    await first;
    await two.stop();
    await one.stop();
    expect(counts.size).toBe(10);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('leaves deliveries for a subscriber that only another process has (rolling deploy)', async () => {
    const seen = { oldX: 0, newX: 0, newY: [] as string[] };
    const older = new EventDispatcher({ store }).subscribe({ name: 'x', types: ['*'], handle: () => void seen.oldX++ });
    const newer = new EventDispatcher({ store })
      .subscribe({ name: 'x', types: ['*'], handle: () => void seen.newX++ })
      .subscribe({ name: 'y', types: ['order.*'], handle: (e) => void seen.newY.push(e.type) });
    await newer.drain(); // registers x and y
    await emitMany(store.db, [
      { type: 'order.placed', source: '/d' },
      { type: 'crm.touched', source: '/d' },
    ]);
    await older.drain(); // knows only x: leaves a pending delivery for y
    expect(seen).toEqual({ oldX: 2, newX: 0, newY: [] });
    expect(await older.patternsOf('local:y')).toEqual(['order.*']);
    await newer.drain();
    expect(seen).toEqual({ oldX: 2, newX: 0, newY: ['order.placed'] });

    await emit(store.db, { type: 'order.cancelled', source: '/d' });
    await older.drain();
    expect(await retireLocalSubscriber(store.db, 'y')).toBe(1);
    await emit(store.db, { type: 'order.shipped', source: '/d' });
    await older.drain();
    const pendingForY = await store.db
      .selectFrom('event_deliveries')
      .select('id')
      .where('subscriber', '=', 'local:y')
      .where('state', '=', 'pending')
      .execute();
    expect(pendingForY).toHaveLength(0);
    await Promise.all([older.stop(), newer.stop()]);
  });
});
