// Emits a journey's business event exactly once per run and outcome, from a workflow step.
// A step may run again after a crash, so the event id is derived from the run: the second
// emit finds the first and stops.
import type { Kysely } from 'kysely';
import { emit } from '../../core/events/index.js';
import { isUniqueViolation } from '../../core/store/portable.js';
import type { Database } from '../../core/store/schema.js';

export async function emitOnce(
  db: Kysely<Database>,
  event: { id: string; type: string; source: string; subject?: string; data?: unknown },
): Promise<void> {
  try {
    await db.transaction().execute(async (trx) => {
      const seen = await trx
        .selectFrom('event_outbox')
        .select('event_id')
        .where('source', '=', event.source)
        .where('event_id', '=', event.id)
        .executeTakeFirst();
      if (!seen) await emit(trx, event);
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err; // a concurrent emit of the same event won
  }
}
