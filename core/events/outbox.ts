// Writing events: `emit(trx, event)` inserts into the outbox inside the caller's
// transaction, so the event exists if and only if the state change that caused it does.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { buildEnvelope, type EventEnvelope, type NewEvent } from './envelope.js';
import './schema.js';

/** Records one event in the outbox; call with the transaction that makes the state change. */
export async function emit<T>(trx: Kysely<Database>, event: NewEvent<T>): Promise<EventEnvelope<T>> {
  const [envelope] = await emitMany(trx, [event]);
  return envelope;
}

/** Records several events in one statement (same transactional rule as `emit`). */
export async function emitMany<T>(trx: Kysely<Database>, events: readonly NewEvent<T>[]): Promise<EventEnvelope<T>[]> {
  if (events.length === 0) return [];
  const now = Date.now();
  const envelopes = events.map((e) => buildEnvelope(e));
  // Chunked so that no statement exceeds the engines' bound-parameter limits.
  for (let i = 0; i < envelopes.length; i += 1000) {
    await trx
      .insertInto('event_outbox')
      .values(
        envelopes.slice(i, i + 1000).map((e) => ({
          event_id: e.id,
          source: e.source,
          type: e.type,
          subject: e.subject ?? null,
          time: e.time,
          envelope: JSON.stringify(e),
          created_at_ms: now,
          dispatched_at_ms: null,
          claimed_by: null,
          lease_until_ms: null,
        })),
      )
      .execute();
  }
  return envelopes;
}
