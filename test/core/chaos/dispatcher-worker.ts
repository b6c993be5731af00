// Child process for the shared-outbox test: dispatches events to two in-process subscribers
// and any webhook subscriptions. Each subscriber records its effect once through consumeOnce,
// and separately logs every raw delivery. Some handler calls fail on purpose (seeded) so
// that retries move between workers. Runs until SIGTERM (or SIGKILL).
import { sql } from 'kysely';
import { consumeOnce, EventDispatcher } from '../../../core/events/index.js';
import { seededRandom } from '../../../core/resilience/backoff.js';
import { createStore } from '../../../core/store/index.js';

const [databaseUrl, workerName, seed] = process.argv.slice(2);
const store = createStore({ databaseUrl, poolMax: 4 });
const random = seededRandom(Number(seed));
const dispatcher = new EventDispatcher({
  store,
  workerId: workerName,
  batchSize: 50,
  pollMs: 20,
  leaseMs: 1_000,
  allowPrivateUrls: true,
  backoff: { baseDelayMs: 10, maxDelayMs: 100 },
  maxAttempts: 50,
});
for (const name of ['ledger', 'notifier']) {
  dispatcher.subscribe({
    name,
    types: ['chaos.*'],
    handle: async (event) => {
      await sql`insert into chaos_deliveries (subscriber, event_id, worker) values (${name}, ${event.id}, ${workerName})`.execute(store.db);
      if (random() < 0.1) throw new Error('subscriber hiccup');
      await consumeOnce(store.db, name, event, async (trx) => {
        await sql`insert into chaos_effects (subscriber, event_id) values (${name}, ${event.id})`.execute(trx);
      });
    },
  });
}
dispatcher.start();
process.on('SIGTERM', () => {
  void dispatcher
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});
