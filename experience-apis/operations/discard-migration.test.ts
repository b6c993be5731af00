// Migration 0342 moves the dead-letter discards the operations API kept in its own table into
// the workflow engine's table (columns from 0024), then drops the old table. A database that
// recorded discards before the move keeps every one, with reason, operator and request id.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createMigrator, migrateToLatest } from '../../core/store/migrate.js';
import { getRun } from '../../core/workflows/index.js';
import { freshStore, testEngines } from '../../test/support/stores.js';

describe.each(testEngines())('discards moved to the core on $name', (engine) => {
  it('keeps every discard recorded before the move, and open letters open', async () => {
    const store = await freshStore(engine);
    try {
      const result = await (await createMigrator(store)).migrateTo('0341_operations_inbox_freshness');
      expect(result.error).toBeUndefined();
      const now = Date.now();
      await sql`insert into workflow_runs (id, definition, run_key, input, state, current_step, result, error, next_attempt_ms, claimed_by, lease_until_ms, created_at_ms, updated_at_ms, finished_at_ms)
        values ('run-1', 'demo', 'k1', '{}', 'failed', 'only', null, '"boom"', ${now}, null, null, ${now}, ${now}, ${now})`.execute(
        store.db,
      );
      for (const id of [1, 2]) {
        await sql`insert into workflow_dead_letters (id, run_id, definition, step, input, errors, state, created_at_ms, replayed_at_ms)
          values (${id}, 'run-1', 'demo', 'only', '{}', '[]', 'open', ${now}, null)`.execute(store.db);
      }
      await sql`insert into ops_dead_letter_discards (dead_letter_id, reason, discarded_by, correlation_id, discarded_at_ms)
        values (1, 'Re-entered by hand.', 'ops-alice', 'req-7', ${now + 5})`.execute(store.db);

      await migrateToLatest(store);
      const letters = (await getRun(store.db, 'run-1')).deadLetters;
      expect(letters.map((l) => [l.id, l.state])).toEqual([
        [1, 'discarded'],
        [2, 'open'],
      ]);
      expect(letters[0]!.discard).toEqual({
        reason: 'Re-entered by hand.',
        by: 'ops-alice',
        correlationId: 'req-7',
        at: new Date(now + 5).toISOString(),
      });
      await expect(sql`select count(*) from ops_dead_letter_discards`.execute(store.db)).rejects.toThrow();
    } finally {
      await store.close();
      await engine.cleanup();
    }
  });
});
