// Catch-up change capture on both engines: a feed's changes reach the inbox once across
// repeated polls, racing pollers and a crash between pull and record; the cursor resumes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import type { Store } from '../store/index.js';
import { recordInboxMessage } from '../inbox/index.js';
import { ChangePoller, listCursors, promChangeCaptureMetrics, readCursor, type ChangeFeed } from './index.js';

interface Position {
  modifiedSince: number;
  lastId: number;
}

/** A platform list of records by (modified, id), read a page at a time after a watermark + tie-breaker. */
function platformFeed(records: { id: number; modified: number }[], pageSize = 3, failPull?: () => boolean): ChangeFeed<Position> {
  return {
    stream: 'test:records',
    source: 'test',
    initial: () => ({ modifiedSince: 0, lastId: 0 }),
    async pull(from) {
      if (failPull?.()) throw new Error('platform unavailable');
      const after = records
        .filter((r) => r.modified > from.modifiedSince || (r.modified === from.modifiedSince && r.id > from.lastId))
        .sort((a, b) => a.modified - b.modified || a.id - b.id);
      const page = after.slice(0, pageSize);
      const last = page.at(-1);
      return {
        changes: page.map((r) => ({
          id: `record-${r.id}@${r.modified}`,
          occurredAtMs: r.modified,
          payload: { id: r.id, modified: r.modified },
        })),
        next: last ? { modifiedSince: last.modified, lastId: last.id } : from,
        more: after.length > page.length,
      };
    },
  };
}

async function inboxIds(store: Store): Promise<string[]> {
  const rows = await store.db
    .selectFrom('inbox_messages')
    .select('webhook_id')
    .where('source', '=', 'test')
    .orderBy('webhook_id')
    .execute();
  return rows.map((r) => r.webhook_id);
}

describe.each(testEngines())('change capture on $name', (engine) => {
  let store: Store;
  beforeEach(async () => {
    store = await migratedStore(engine);
  });
  afterEach(async () => {
    await store.close();
  });

  it('records every change once and resumes from the stored cursor', async () => {
    const records = [1, 2, 3, 4, 5].map((id) => ({ id, modified: 1_000 + Math.floor(id / 2) }));
    const poller = new ChangePoller(platformFeed(records), { store, intervalMs: 60_000 });
    const first = await poller.pollOnce();
    expect(first, 'first round: five changes over two pages, caught up').toMatchObject({ recorded: 5, pages: 2, caughtUp: true });
    const again = await poller.pollOnce();
    expect(again.recorded, 'a second round with nothing new records nothing').toBe(0);

    records.push({ id: 6, modified: 1_002 }, { id: 7, modified: 1_010 });
    // A new poller (a restarted process) resumes from the stored position, not from the start.
    const restarted = new ChangePoller(platformFeed(records), { store, intervalMs: 60_000 });
    const resumed = await restarted.pollOnce();
    expect(resumed.recorded, 'after a restart only the two new changes are recorded').toBe(2);
    expect((await inboxIds(store)).length, 'inbox holds each change once').toBe(7);
    const cursor = await readCursor<Position>(store.db, 'test:records');
    expect(cursor?.position, 'cursor at the newest change with its tie-breaker').toEqual({ modifiedSince: 1_010, lastId: 7 });
    expect(cursor?.changesRecorded, 'the cursor counts what it recorded').toBe(7);
    expect(cursor?.lastChangeAt?.getTime(), 'last change time is the platform time').toBe(1_010);
    expect(
      (await listCursors(store.db)).map((c) => c.stream),
      'the cursor is listed',
    ).toEqual(['test:records']);
  });

  it('skips a change a webhook already delivered under the same id', async () => {
    await recordInboxMessage(store.db, { source: 'test', messageId: 'record-1@1000', sentAtSeconds: 1, body: '{}', now: Date.now() });
    const poller = new ChangePoller(
      platformFeed([
        { id: 1, modified: 1_000 },
        { id: 2, modified: 1_000 },
      ]),
      { store, intervalMs: 60_000 },
    );
    const outcome = await poller.pollOnce();
    expect(outcome, 'one new, one already delivered').toMatchObject({ recorded: 1, duplicates: 1 });
    expect(await inboxIds(store), 'no duplicate row').toEqual(['record-1@1000', 'record-2@1000']);
  });

  it('racing pollers record each change once and the cursor never goes back', async () => {
    const records = Array.from({ length: 40 }, (_, i) => ({ id: i + 1, modified: 5_000 + i }));
    const pollers = [0, 1, 2].map(() => new ChangePoller(platformFeed(records, 4), { store, intervalMs: 60_000, maxPages: 100 }));
    const outcomes = await Promise.all(pollers.map((p) => p.pollOnce()));
    // SQLite serialises writers, so racing may never overtake there; the invariant is what counts.
    const total = outcomes.reduce((n, o) => n + o.recorded, 0);
    expect(total, 'between them the pollers recorded each change exactly once').toBe(40);
    expect((await inboxIds(store)).length, 'the inbox holds forty messages').toBe(40);
    expect((await readCursor<Position>(store.db, 'test:records'))?.position.lastId, 'cursor at the newest').toBe(40);
  });

  it('a failed pull records nothing and moves nothing; the next round catches up', async () => {
    let failing = true;
    const registry = new Registry();
    const metrics = promChangeCaptureMetrics(registry);
    const poller = new ChangePoller(
      platformFeed([{ id: 1, modified: 10 }], 3, () => failing),
      { store, intervalMs: 60_000, metrics },
    );
    await expect(poller.pollOnce(), 'the pull fails').rejects.toThrow('platform unavailable');
    expect(await readCursor(store.db, 'test:records'), 'no cursor written').toBeUndefined();
    failing = false;
    expect((await poller.pollOnce()).recorded, 'the next round records the change').toBe(1);
    const text = await registry.metrics();
    expect(text, 'recorded counter').toContain('layer_change_capture_changes_recorded_total{stream="test:records"} 1');
    expect(text, 'lag gauge for the stream').toMatch(/layer_change_capture_lag_seconds\{stream="test:records"\} \d/);
  });

  it('the poll loop counts failures and keeps going', async () => {
    const registry = new Registry();
    const metrics = promChangeCaptureMetrics(registry);
    let calls = 0;
    const poller = new ChangePoller(
      platformFeed([{ id: 1, modified: 10 }], 3, () => ++calls === 1),
      { store, intervalMs: 5, metrics },
    );
    poller.start();
    const deadline = Date.now() + 10_000;
    while ((await inboxIds(store)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await poller.stop();
    expect(await inboxIds(store), 'recorded after the failed round').toEqual(['record-1@10']);
    expect(await registry.metrics(), 'the failure was counted').toContain(
      'layer_change_capture_poll_failures_total{stream="test:records"} 1',
    );
  });
});
