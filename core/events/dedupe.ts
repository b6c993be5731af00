// Subscriber-side de-duplication: delivery is at least once, so a consumer records each
// (source, id) it has handled, in the same transaction as its effect; the effect is then once.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.js';
import type { EventEnvelope } from './envelope.js';
import './schema.js';

/**
 * Runs `effect` inside a transaction only if `consumer` has not yet handled this event.
 * Returns true when the effect ran, false for a duplicate. The marker and the effect
 * commit together, so a crash leaves neither.
 */
export async function consumeOnce(
  db: Kysely<Database>,
  consumer: string,
  event: Pick<EventEnvelope, 'source' | 'id'>,
  effect: (trx: Transaction<Database>) => Promise<void>,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('event_consumed')
      .values({ consumer, source: event.source, event_id: event.id, consumed_at_ms: Date.now() })
      .onConflict((oc) => oc.columns(['consumer', 'source', 'event_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
    await effect(trx);
    return true;
  });
}
