// Proof under faults (b): two worker processes on PostgreSQL share one outbox (one of them
// is SIGKILLed mid-way and replaced); each event reaches each in-process subscriber, and a
// webhook receiver, exactly once in effect.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migratedStore, testEngines } from '../../support/stores.js';
import { createSubscription, emitMany } from '../../../core/events/index.js';
import { waitFor } from '../../support/wait-for.js';

const here = dirname(fileURLToPath(import.meta.url));
const EVENTS = 1000;
const postgres = testEngines().find((e) => e.name === 'postgres');
if (!postgres) console.warn('[test] TEST_DATABASE_URL not set: the shared-outbox test on PostgreSQL is skipped');

function spawnWorker(databaseUrl: string, name: string, seed: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(here, 'dispatcher-worker.ts'), databaseUrl, name, String(seed)], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
}
const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe.skipIf(!postgres)('two dispatcher processes sharing one outbox on PostgreSQL', () => {
  afterAll(() => postgres?.cleanup());

  it('delivers each event to each subscriber exactly once in effect', { timeout: 90_000 }, async () => {
    const store = await migratedStore(postgres!);
    // The store's URL is redacted; ask the engine for the URL of this schema via search_path.
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.searchParams.set('options', `-c search_path=${rows[0].schema}`);
    const databaseUrl = url.toString();
    await sql`create table chaos_deliveries (subscriber text not null, event_id text not null, worker text not null)`.execute(store.db);
    await sql`create table chaos_effects (subscriber text not null, event_id text not null)`.execute(store.db);

    const hookRequests = new Map<string, number>();
    const hook = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = String(req.headers['webhook-id']);
        hookRequests.set(id, (hookRequests.get(id) ?? 0) + 1);
        res.writeHead(hookRequests.size % 17 === 0 && hookRequests.get(id) === 1 ? 503 : 204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    await createSubscription(
      store.db,
      { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/in`, eventTypes: ['chaos.*'] },
      { allowPrivateUrls: true },
    );

    const ids = (
      await emitMany(
        store.db,
        Array.from({ length: EVENTS }, (_, i) => ({ type: `chaos.event.${i % 5}`, source: '/chaos', data: { i } })),
      )
    ).map((e) => e.id);
    const workers = [spawnWorker(databaseUrl, 'worker-a', 1), spawnWorker(databaseUrl, 'worker-b', 2)];
    try {
      // Kill worker-a once it is mid-way through its work.
      await waitFor(
        async () => {
          const { rows } = await sql<{ n: number }>`select count(*) as n from chaos_deliveries where worker = 'worker-a'`.execute(store.db);
          return Number(rows[0].n);
        },
        { until: (n) => n >= 100, what: 'worker-a to deliver 100 events', timeoutMs: 25_000, intervalMs: 50 },
      );
      workers[0].kill('SIGKILL');
      await exited(workers[0]);
      workers.push(spawnWorker(databaseUrl, 'worker-c', 3));
      await waitFor(
        async () => {
          const { rows: left } = await sql<{ n: number }>`
            select (select count(*) from event_outbox where dispatched = 0)
                 + (select count(*) from event_deliveries where state = 'pending') as n`.execute(store.db);
          const { rows: done } = await sql<{ n: number }>`select count(*) as n from chaos_effects`.execute(store.db);
          return { left: Number(left[0].n), done: Number(done[0].n) };
        },
        {
          until: (s) => s.left === 0 && s.done >= 2 * EVENTS,
          what: 'every event delivered to both subscribers',
          timeoutMs: 55_000,
          intervalMs: 100,
        },
      );
    } finally {
      for (const w of workers.slice(1)) w.kill('SIGTERM');
      await Promise.all(workers.map(exited));
      await new Promise<void>((r) => hook.close(() => r()));
    }

    for (const subscriber of ['ledger', 'notifier']) {
      const { rows: effects } = await sql<{
        event_id: string;
      }>`select event_id from chaos_effects where subscriber = ${subscriber}`.execute(store.db);
      expect(effects).toHaveLength(EVENTS);
      expect(new Set(effects.map((e) => e.event_id))).toEqual(new Set(ids));
    }
    // The webhook receiver de-duplicates by webhook-id: every event arrived, each id at least once.
    expect(new Set(hookRequests.keys())).toEqual(new Set(ids));
    const dead = await store.db.selectFrom('event_deliveries').select('id').where('state', '=', 'dead').execute();
    expect(dead).toHaveLength(0);
    const { rows: byWorker } = await sql<{
      worker: string;
      n: number;
    }>`select worker, count(*) as n from chaos_deliveries group by worker`.execute(store.db);
    const { rows: raw } = await sql<{ n: number }>`select count(*) as n from chaos_deliveries`.execute(store.db);
    // All three workers took part, so the outbox really was shared, and the killed one's leases were taken over.
    expect(byWorker.map((w) => w.worker)).toEqual(expect.arrayContaining(['worker-a', 'worker-b', 'worker-c']));
    const hookTotal = [...hookRequests.values()].reduce((a, b) => a + b, 0);
    console.info(
      `[chaos b] raw local deliveries ${raw[0].n} for ${2 * EVENTS} effects; by worker ${JSON.stringify(byWorker)}; webhook requests ${hookTotal} for ${EVENTS} ids`,
    );
    await store.close();
  });
});
