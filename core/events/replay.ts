// Replay: re-deliver every event recorded since a point in time to one subscriber, by
// (re)setting its delivery rows to pending. Other subscribers are not touched.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { typeMatcher } from './envelope.js';
import './schema.js';

/**
 * Schedules re-delivery to `subscriber` (`local:<name>` or `webhook:<id>`) of the events
 * whose outbox record is at or after `since` and whose type matches `patterns`.
 * Returns the number of deliveries scheduled.
 */
export async function replayEvents(db: Kysely<Database>, subscriber: string, since: Date, patterns: readonly string[]): Promise<number> {
  const matches = typeMatcher(patterns);
  const now = Date.now();
  let scheduled = 0;
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('event_outbox')
      .select(['seq', 'type'])
      .where('created_at_ms', '>=', since.getTime())
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(1000)
      .execute();
    if (page.length === 0) return scheduled;
    after = Number(page[page.length - 1].seq);
    const rows = page
      .filter((e) => matches(e.type))
      .map((e) => ({
        event_seq: Number(e.seq),
        subscriber,
        state: 'pending' as const,
        attempts: 0,
        next_attempt_ms: now,
        last_status: null,
        last_error: null,
        claimed_by: null,
        lease_until_ms: null,
        created_at_ms: now,
        delivered_at_ms: null,
      }));
    if (rows.length === 0) continue;
    await db
      .insertInto('event_deliveries')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['event_seq', 'subscriber'])
          .doUpdateSet({ state: 'pending', attempts: 0, next_attempt_ms: now, claimed_by: null, lease_until_ms: null, last_error: null }),
      )
      .execute();
    scheduled += rows.length;
  }
}
