// Who besides this process's own in-process subscribers must get an event: active webhook
// subscriptions, and in-process subscribers registered only by other processes. Also the
// registry of in-process subscriber names and their type patterns.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { typeMatcher } from './envelope.js';
import './schema.js';

export interface DeferredTarget {
  /** `webhook:<id>` or `local:<name>`. */
  subscriber: string;
  matches(type: string): boolean;
}

export async function registerLocalSubscribers(
  db: Kysely<Database>,
  subscribers: ReadonlyArray<{ name: string; types: string[] }>,
): Promise<void> {
  const now = Date.now();
  for (const sub of subscribers) {
    const types = JSON.stringify(sub.types);
    await db
      .insertInto('event_local_subscribers')
      .values({ name: sub.name, event_types: types, registered_at_ms: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ event_types: types, registered_at_ms: now }))
      .execute();
  }
}

/** Delivery-row targets for a batch claimed by a process that has the `localNames` subscribers. */
export async function deferredTargets(db: Kysely<Database>, localNames: ReadonlySet<string>): Promise<DeferredTarget[]> {
  const hooks = await db.selectFrom('webhook_subscriptions').select(['id', 'event_types']).where('state', '=', 'active').execute();
  const locals = await db.selectFrom('event_local_subscribers').select(['name', 'event_types']).execute();
  return [
    ...hooks.map((h) => ({ subscriber: `webhook:${h.id}`, matches: typeMatcher(JSON.parse(h.event_types) as string[]) })),
    ...locals
      .filter((r) => !localNames.has(r.name))
      .map((r) => ({ subscriber: `local:${r.name}`, matches: typeMatcher(JSON.parse(r.event_types) as string[]) })),
  ];
}

/** The type patterns a subscriber (`local:<name>` or `webhook:<id>`) receives; [] when unknown. */
export async function subscriberPatterns(db: Kysely<Database>, subscriber: string): Promise<string[]> {
  const row = subscriber.startsWith('local:')
    ? await db.selectFrom('event_local_subscribers').select('event_types').where('name', '=', subscriber.slice(6)).executeTakeFirst()
    : await db.selectFrom('webhook_subscriptions').select('event_types').where('id', '=', subscriber.slice(8)).executeTakeFirst();
  return row ? (JSON.parse(row.event_types) as string[]) : [];
}
