// The assignment change feed against the Float-shaped sandbox: the per-second watermark with its
// tie-breaker, a second change within the same second, deletions found against what was seen,
// placeholders left out, and a webhook's key equal to the poll's for the same state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../core/store/index.js';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { createSchedulingSandbox, SCHEDULING_SANDBOX_TOKEN, type SchedulingState } from '../../sandboxes/scheduling/index.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import type { AssignmentFeedPosition } from './changes.js';
import { SchedulingConnector } from './connector.js';
import { createSchedulingSystemApi, type SchedulingSystemApi } from './service.js';
import { webhookChangeKey } from './webhooks.js';

const STAMP = '2030-01-02 03:04:05';
const BEFORE: AssignmentFeedPosition = { modifiedSince: '2030-01-01 00:00:00', seen: [], deletionsCheckedAtMs: Date.now() };

describe.each(testEngines().map((e) => [e.name, e] as const))('assignment change feed on %s', (_name, engine) => {
  let sandbox: SandboxApp<SchedulingState>;
  let running: RunningSandbox;
  let store: Store;
  let connector: SchedulingConnector;
  let scheduling: SchedulingSystemApi;

  beforeAll(async () => {
    sandbox = createSandboxApp(createSchedulingSandbox());
    running = await listen(sandbox.app);
    store = await migratedStore(engine);
    connector = new SchedulingConnector({ baseUrl: running.url, apiToken: SCHEDULING_SANDBOX_TOKEN, timeoutMs: 2_000 });
    scheduling = createSchedulingSystemApi({ connector, store });
  });
  afterAll(async () => {
    await connector?.close();
    await running?.close();
    await store?.close();
    await engine.cleanup();
  });

  it('reads each state once, keeps a second change within the same second, and reports a deletion as a cancellation', async () => {
    const state = sandbox.ctx.state();
    const [task, other] = [...state.tasks.values()].filter((t) => state.people.get(t.people_id)?.people_type_id !== 3);
    // Two allocations changed in the same second, as Float stamps them.
    Object.assign(task!, { modified: STAMP });
    Object.assign(other!, { modified: STAMP });
    const first = await scheduling.assignmentChangesSince(BEFORE, { deletionCheckEveryMs: 60_000 });
    expect(
      first.changes.map((c) => c.change),
      'both read, as updates',
    ).toEqual(['updated', 'updated']);
    expect(first.next.modifiedSince, 'the watermark moves to their second').toBe(STAMP);
    expect(first.more, 'nothing more waits').toBe(false);

    const again = await scheduling.assignmentChangesSince(first.next, { deletionCheckEveryMs: 60_000 });
    expect(again.changes, 'the same states are not read twice, though the watermark second is asked again').toEqual([]);

    Object.assign(task!, { hours: task!.hours === 2 ? 3 : 2 });
    const sameSecond = await scheduling.assignmentChangesSince(again.next, { deletionCheckEveryMs: 60_000 });
    expect(sameSecond.changes, 'a second change within the same second is read').toHaveLength(1);
    const [changed] = sameSecond.changes;
    expect(changed!.changeKey, 'under a key of its own').not.toBe(first.changes[0]!.changeKey);
    expect(
      webhookChangeKey({ event: 'task.updated', account_id: 1, timestamp: new Date().toISOString(), data: { ...task! } }),
      'a relay’s webhook for this state carries the same key',
    ).toBe(changed!.changeKey);

    state.tasks.delete(task!.task_id);
    const deleted = await scheduling.assignmentChangesSince(sameSecond.next, { deletionCheckEveryMs: 0 });
    expect(
      deleted.changes.map((c) => [c.assignmentId, c.change, c.changeKey]),
      'the deletion check reports the missing allocation as cancelled',
    ).toEqual([[changed!.assignmentId, 'cancelled', `task-${task!.task_id}@deleted`]]);
    expect((await scheduling.getAssignment(changed!.assignmentId)).status, 'with its last state kept as cancelled').toBe('cancelled');
    const later = await scheduling.assignmentChangesSince({ ...deleted.next, deletionsCheckedAtMs: 0 }, { deletionCheckEveryMs: 0 });
    expect(
      later.changes.map((c) => c.changeKey),
      'reported again under the same key, which the inbox takes once',
    ).toEqual([`task-${task!.task_id}@deleted`]);
  });

  it('leaves allocations on placeholders out: they are staffing requests', async () => {
    const state = sandbox.ctx.state();
    const seat = [...state.tasks.values()][0]!;
    state.people.get(seat.people_id)!.people_type_id = 3;
    const stamp = '2031-05-06 07:08:09';
    for (const t of state.tasks.values()) if (t.people_id === seat.people_id) t.modified = stamp;
    // A fresh API: people are cached for a while, and this person has just become a placeholder.
    const fresh = createSchedulingSystemApi({ connector, store });
    const page = await fresh.assignmentChangesSince(
      { modifiedSince: stamp, seen: [], deletionsCheckedAtMs: Date.now() },
      { deletionCheckEveryMs: 60_000 },
    );
    expect(page.changes, 'no assignment change for a placeholder’s allocation').toEqual([]);
    expect(page.next.modifiedSince, 'yet the watermark moves past it').toBe(stamp);
  });
});
