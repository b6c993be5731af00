// One reconciliation pass at a time, on each engine: two runners sharing one store (a second start
// is a conflict), many starts racing for the lease, a dead runner's lease taken over after it lapsed,
// and a pass that lost its lease stopping without overwriting the new holder's.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/index.js';
import { fakeCheck } from '../../test/support/reconciliation-checks.js';
import { reconciliationsOnOneStore } from '../../test/support/reconciliation-store.js';
import { testEngines } from '../../test/support/stores.js';
import { waitFor } from '../../test/support/wait-for.js';
import type { ReconciliationCheck } from '../kit/reconciliation.js';

const operator = { consumer: 'ops-console', subject: 'alice@firm.example', correlationId: 'req-1' };

for (const engine of testEngines()) {
  describe(`reconciliation pass lease (${engine.name})`, () => {
    const openReplica = reconciliationsOnOneStore(engine);
    const open = (checks: ReconciliationCheck[], holder?: string) => openReplica(checks, { holder });

    it('runs one pass at a time across two runners on one store, and takes over the lease of one that died', async () => {
      const slow = fakeCheck({ name: 'slow-check' });
      const first = open([slow], 'replica-a');
      const second = open([fakeCheck({ name: 'other-check' })], 'replica-b');
      const held = slow.hold();
      const { pass: started, done } = await first.runner.start({ repair: false, trigger: 'operator', actor: operator });
      await held.started;
      expect(started.status).toBe('running');
      expect((await second.api.getPass(started.id)).status, 'the other runner sees it running').toBe('running');
      await expect(second.api.startPass({}, operator), 'a second start on another runner').rejects.toMatchObject({ status: 409 });
      await expect(first.api.runPass({ repair: false, trigger: 'command', actor: null })).rejects.toMatchObject({ status: 409 });
      held.release();
      expect(await done).toMatchObject({ status: 'completed' });
      expect(await second.api.getPass(started.id)).toMatchObject({ status: 'completed' });

      // A replica that dies holding the lease: its pass stays running until the lease lapses.
      const dying = fakeCheck({ name: 'dying-check' });
      const dead = open([dying], 'replica-dead');
      const hung = dying.hold();
      const orphan = await dead.api.startPass({}, operator);
      await hung.started;
      await expect(second.api.startPass({}, operator)).rejects.toMatchObject({ status: 409 });
      await dead.store.db
        .updateTable('recon_lease')
        .set({ expires_at_ms: Date.now() - 1 })
        .execute(); // the lease lapses: no heartbeat came
      const taken = await second.api.runPass({ repair: false, trigger: 'schedule', actor: null });
      expect(taken.status).toBe('completed');
      expect(await second.api.getPass(orphan.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('taken over') });
      hung.release();
      await dead.runner.stop();
      expect((await second.api.getPass(orphan.id)).status, 'the old holder does not overwrite the takeover').toBe('failed');
    });

    it('stops a pass whose lease another replica took over, without overwriting the lease', async () => {
      const slow = fakeCheck({ name: 'slow-lease-check' });
      const shortLease = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', RECONCILE_LEASE_MS: '1000' });
      const recon = openReplica([slow], { holder: 'replica-slow' }, shortLease);
      const store = recon.store;
      const held = slow.hold();
      const { pass: started, done } = await recon.runner.start({ repair: false, trigger: 'schedule', actor: null });
      await held.started;
      await store.db
        .updateTable('recon_lease')
        .set({ holder: 'replica-other', pass_id: null, expires_at_ms: Date.now() + 600_000 })
        .execute();
      // The next heartbeat finds the lease gone and asks the pass to stop; the check ends when released.
      await waitFor(() => slow.signal?.aborted, { what: 'the pass to be asked to stop' });
      held.release();
      const ended = await done;
      expect(ended.id).toBe(started.id);
      expect(ended).toMatchObject({ status: 'failed', error: expect.stringContaining('lost its lease') });
      const lease = await store.db.selectFrom('recon_lease').selectAll().executeTakeFirstOrThrow();
      expect(lease.holder, 'the other replica keeps the lease').toBe('replica-other');
      await store.db.updateTable('recon_lease').set({ holder: null, pass_id: null, expires_at_ms: 0 }).execute();
    });

    it('gives the lease to exactly one of many starts racing on two runners', async () => {
      const a = fakeCheck({ name: 'race-a' });
      const b = fakeCheck({ name: 'race-b' });
      const gates = [a.hold(), b.hold()];
      const runners = [open([a], 'race-1'), open([b], 'race-2')];
      const starts = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => runners[i % 2].runner.start({ repair: false, trigger: 'schedule', actor: null })),
      );
      const won = starts.filter((s) => s.status === 'fulfilled');
      expect(won, 'starts that got the lease').toHaveLength(1);
      expect(starts.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason.status)).toEqual([
        409, 409, 409, 409, 409,
      ]);
      for (const g of gates) g.release();
      expect(await (won[0] as PromiseFulfilledResult<{ done: Promise<{ status: string }> }>).value.done).toMatchObject({
        status: 'completed',
      });
    });
  });
}
