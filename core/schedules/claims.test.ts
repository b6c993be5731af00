// Two processes on one store claim the same periods at once: each period goes to exactly one.
import { afterAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../store/index.js';
import { migrateToLatest } from '../store/migrate.js';
import { testEngines } from '../../test/support/stores.js';
import { claimPeriod } from './index.js';

const HOUR = 3_600_000;

for (const engine of testEngines()) {
  describe(`schedule claims (${engine.name})`, () => {
    const stores: Store[] = [];
    afterAll(async () => {
      for (const s of stores) await s.close();
      await engine.cleanup();
    });

    it('gives each period to one claimant among replicas racing for it, and forgets periods long past', async () => {
      const url = await engine.freshUrl();
      const first = createStore({ databaseUrl: url });
      stores.push(first);
      await migrateToLatest(first);
      const second = createStore({ databaseUrl: url });
      stores.push(second);
      const race = (now: number) =>
        Promise.all(
          Array.from({ length: 8 }, (_, i) => claimPeriod((i % 2 ? second : first).db, 'reconcile', HOUR, `replica-${i}`, now + i)),
        );
      const t0 = Date.UTC(2026, 11, 3, 10, 0, 0);
      expect((await race(t0)).filter(Boolean), 'claims won in one period by eight racing callers').toHaveLength(1);
      expect((await race(t0 + 30 * 60_000)).filter(Boolean), 'claims won later in the same period').toHaveLength(0);
      expect((await race(t0 + HOUR)).filter(Boolean), 'claims won in the next period').toHaveLength(1);
      expect(await claimPeriod(first.db, 'billing', HOUR, 'replica-0', t0), 'another job claims its own periods').toBe(true);
      await claimPeriod(first.db, 'reconcile', HOUR, 'replica-0', t0 + 200 * HOUR);
      const kept = await first.db.selectFrom('schedule_claims').select('period_start_ms').where('job', '=', 'reconcile').execute();
      expect(
        kept.map((r) => Number(r.period_start_ms)),
        'claims of the job kept after a claim 200 periods on',
      ).toEqual([t0 + 200 * HOUR]);
    });
  });
}
