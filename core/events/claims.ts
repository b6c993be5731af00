// Lease-based claims on the outbox and the delivery table. PostgreSQL skips rows another
// worker has locked (FOR UPDATE SKIP LOCKED); SQLite has a single writer, so the atomic
// UPDATE … WHERE lease expired … RETURNING is enough. Every later write is fenced by
// `claimed_by`, so a worker whose lease was taken over cannot overwrite the new holder.
import type { Kysely } from 'kysely';
import type { Engine } from '../store/index.js';
import type { Database } from '../store/schema.js';
import './schema.js';

export interface ClaimedOutboxRow {
  seq: number;
  envelope: string;
}

export async function claimOutbox(
  db: Kysely<Database>,
  engine: Engine,
  workerId: string,
  now: number,
  leaseMs: number,
  limit: number,
): Promise<ClaimedOutboxRow[]> {
  let candidates = db
    .selectFrom('event_outbox')
    .select('seq')
    .where('dispatched', '=', 0)
    .where((eb) => eb.or([eb('lease_until_ms', 'is', null), eb('lease_until_ms', '<', now)]))
    .orderBy('seq')
    .limit(limit);
  if (engine === 'postgres') candidates = candidates.forUpdate().skipLocked();
  const rows = await db
    .updateTable('event_outbox')
    .set({ claimed_by: workerId, lease_until_ms: now + leaseMs })
    .where('seq', 'in', candidates)
    .returning(['seq', 'envelope'])
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), envelope: r.envelope })).sort((a, b) => a.seq - b.seq);
}

export interface ClaimedDelivery {
  id: number;
  eventSeq: number;
  subscriber: string;
  attempts: number;
}

export async function claimDueDeliveries(
  db: Kysely<Database>,
  engine: Engine,
  workerId: string,
  localSubscribers: readonly string[],
  now: number,
  leaseMs: number,
  limit: number,
): Promise<ClaimedDelivery[]> {
  let candidates = db
    .selectFrom('event_deliveries')
    .select('id')
    .where('state', '=', 'pending')
    .where('next_attempt_ms', '<=', now)
    .where((eb) => eb.or([eb('lease_until_ms', 'is', null), eb('lease_until_ms', '<', now)]))
    // A process only claims in-process deliveries for subscribers it has registered.
    .where((eb) =>
      eb.or([
        eb('subscriber', 'like', 'webhook:%'),
        ...(localSubscribers.length
          ? [
              eb(
                'subscriber',
                'in',
                localSubscribers.map((n) => `local:${n}`),
              ),
            ]
          : []),
      ]),
    )
    .orderBy('next_attempt_ms')
    .limit(limit);
  if (engine === 'postgres') candidates = candidates.forUpdate().skipLocked();
  const rows = await db
    .updateTable('event_deliveries')
    .set({ claimed_by: workerId, lease_until_ms: now + leaseMs })
    .where('id', 'in', candidates)
    .returning(['id', 'event_seq', 'subscriber', 'attempts'])
    .execute();
  return rows.map((r) => ({ id: Number(r.id), eventSeq: Number(r.event_seq), subscriber: r.subscriber, attempts: Number(r.attempts) }));
}

/**
 * Keeps a claimed batch leased while it is being worked on (slow subscribers, webhook
 * timeouts), so that another worker does not take it over mid-way. Call the returned
 * function to stop.
 */
export function keepLeased(
  db: Kysely<Database>,
  table: 'event_outbox' | 'event_deliveries',
  ids: readonly number[],
  workerId: string,
  leaseMs: number,
  onError: (err: unknown) => void,
): () => void {
  const timer = setInterval(
    () => {
      const until = Date.now() + leaseMs;
      const renew =
        table === 'event_outbox'
          ? db.updateTable('event_outbox').set({ lease_until_ms: until }).where('seq', 'in', ids).where('claimed_by', '=', workerId)
          : db.updateTable('event_deliveries').set({ lease_until_ms: until }).where('id', 'in', ids).where('claimed_by', '=', workerId);
      renew.execute().catch(onError);
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return () => clearInterval(timer);
}
