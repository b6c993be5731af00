// Retention: dispatched events and finished deliveries older than a cut-off are deleted,
// together with consumer de-duplication markers. Replay reaches back only as far as this.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import './schema.js';

export interface PurgeResult {
  events: number;
  deliveries: number;
  consumedMarkers: number;
}

/**
 * Deletes what is older than `olderThan`: delivered or dead deliveries, then dispatched
 * events that no pending delivery still needs, then consumer markers. Markers must outlive
 * any redelivery, so pass the same cut-off as the events (or an older one).
 */
export async function purgeEvents(db: Kysely<Database>, olderThan: Date): Promise<PurgeResult> {
  const cutoff = olderThan.getTime();
  return db.transaction().execute(async (trx) => {
    const deliveries = await trx
      .deleteFrom('event_deliveries')
      .where('state', 'in', ['delivered', 'dead'])
      .where('event_seq', 'in', (eb) => eb.selectFrom('event_outbox').select('seq').where('created_at_ms', '<', cutoff))
      .executeTakeFirst();
    const events = await trx
      .deleteFrom('event_outbox')
      .where('dispatched', '=', 1)
      .where('created_at_ms', '<', cutoff)
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom('event_deliveries').select('id').whereRef('event_deliveries.event_seq', '=', 'event_outbox.seq'))),
      )
      .executeTakeFirst();
    const markers = await trx.deleteFrom('event_consumed').where('consumed_at_ms', '<', cutoff).executeTakeFirst();
    return {
      events: Number(events.numDeletedRows),
      deliveries: Number(deliveries.numDeletedRows),
      consumedMarkers: Number(markers.numDeletedRows),
    };
  });
}
