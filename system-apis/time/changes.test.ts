// The time entry change feed against the Harvest-shaped sandbox over HTTP, on each store engine:
// entries sharing one second across a page boundary are each read once, an entry updated later in
// the watermark's own second is not lost, the same state read again is no change, and a changed
// state within the same second is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxApp } from '../../sandboxes/kit/index.js';
import type { TimeState } from '../../sandboxes/time/index.js';
import { dayNumber, ENTRY_ID_BASE, FLAG } from '../../sandboxes/time/entry-table.js';
import { touch } from '../../sandboxes/time/state.js';
import { testEngines } from '../../test/support/stores.js';
import { startTimeSystemFixture, type TimeSystemFixture } from '../../test/support/time-system-fixture.js';
import type { TimeEntryFeedPosition } from './changes.js';
import type { TimeSystemApi } from './service.js';

/** A second well after the seed's work, and within it the stamps the entries get. */
const SECOND = Date.parse('2026-12-02T10:00:00Z');

describe.each(testEngines().map((e) => [e.name, e] as const))('time entry change feed on %s', (_name, engine) => {
  let f: TimeSystemFixture;
  let sandbox: SandboxApp<TimeState>;
  let api: TimeSystemApi;

  /** An approved, billable entry in the sandbox, stamped at `at` (ms); returns its Harvest id. */
  function addEntry(at: number, hours = 2): number {
    const state = sandbox.ctx.state();
    const row = state.entries.add({
      day: dayNumber('2026-11-20'),
      user: 0,
      project: 0,
      task: 0,
      hours,
      flags: FLAG.billable | FLAG.closed | FLAG.locked,
      approval: 2,
      billableRate: state.users[0]!.billableRate,
      costRate: state.users[0]!.costRate,
      createdAt: at,
      notes: 'Feed test',
    });
    touch(state);
    return ENTRY_ID_BASE + row;
  }
  const nativeIds = async (page: Awaited<ReturnType<TimeSystemApi['timeEntryChangesSince']>>) =>
    page.changes.map((c) => Number(/^time-entry-(\d+)@/.exec(c.changeKey)![1]));

  beforeAll(async () => {
    f = await startTimeSystemFixture(engine);
    ({ sandbox, api } = f);
  });
  afterAll(async () => f?.close());

  it('reads each change once across the boundary second, and a later change within it', async () => {
    const start: TimeEntryFeedPosition = api.timeEntryFeedStart(new Date(SECOND - 60_000));
    expect(start).toEqual({ updatedSince: '2026-12-02T09:59:00Z', seen: [] });
    // Three entries in one second, listed by Harvest in its own order (by date worked, not by update).
    const a = addEntry(SECOND + 100);
    const b = addEntry(SECOND + 500);
    const c = addEntry(SECOND + 900);
    const first = await api.timeEntryChangesSince(start, 2);
    expect(first.more).toBe(true);
    expect(await nativeIds(first)).toEqual([a, b]);
    expect(first.next.updatedSince).toBe('2026-12-02T10:00:00Z');
    expect(first.next.seen).toHaveLength(2);
    expect(first.changes[0]!.entry).toMatchObject({
      approvalStatus: 'approved',
      billable: true,
      billingStatus: 'unbilled',
      durationHours: '2.00',
    });
    expect(first.changes[0]!.occurredAtMs).toBe(SECOND);

    // The next page reads the boundary second again: the third entry, not the first two.
    const d = addEntry(SECOND + 1_200);
    const second = await api.timeEntryChangesSince(first.next, 2);
    expect(await nativeIds(second)).toEqual([c, d]);
    expect(second.more).toBe(false);
    expect(second.next).toMatchObject({ updatedSince: '2026-12-02T10:00:01Z' });

    // Nothing new: nothing read, the position stays.
    const idle = await api.timeEntryChangesSince(second.next);
    expect(idle.changes).toEqual([]);
    expect(idle.next).toEqual(second.next);

    // Another entry stamped in the watermark's own second after it was read is not lost; an edit
    // of d within the same second is a change of its own (same stamp, other content).
    const e = addEntry(SECOND + 1_700);
    sandbox.ctx.state().entries.hours[d - ENTRY_ID_BASE] = 3;
    touch(sandbox.ctx.state());
    const later = await api.timeEntryChangesSince(idle.next);
    expect((await nativeIds(later)).sort()).toEqual([d, e].sort());
    expect(later.changes.find((ch) => ch.changeKey.startsWith(`time-entry-${d}@`))!.entry.durationHours).toBe('3.00');
    expect((await api.timeEntryChangesSince(later.next)).changes).toEqual([]);
  });

  it('refuses a position it did not give', async () => {
    await expect(api.timeEntryChangesSince({ updatedSince: 'yesterday', seen: [] })).rejects.toMatchObject({ status: 400 });
  });
});
