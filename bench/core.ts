// Core benchmark: events/s through outbox → dispatcher → in-process subscriber, and 3-step
// workflow runs/s, on SQLite and (with --pg <url> or TEST_DATABASE_URL) PostgreSQL, each
// beside the raw insert rate of the same engine in the same run, as a ratio.
// `npm run bench -- core [--events N] [--runs N] [--pg url]`, or `tsx bench/core.ts …`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'kysely';
import { createStore, type Store } from '../core/store/index.js';
import { migrateToLatest } from '../core/store/migrate.js';
import { buildEnvelope, emitMany, EventDispatcher } from '../core/events/index.js';
import { defineWorkflow, WorkflowEngine } from '../core/workflows/index.js';

interface Figures {
  engine: string;
  rawInsertsPerSec: number;
  eventsPerSec: number;
  runsPerSec: number;
}

const BATCH = 500;

async function rawInsertRate(store: Store, n: number): Promise<number> {
  await sql`create table bench_raw (id integer primary key, kind text not null, body text not null, at_ms bigint not null)`.execute(
    store.db,
  );
  const body = JSON.stringify({ specversion: '1.0', type: 'bench.raw', source: '/bench', data: { n: 0 } });
  const started = performance.now();
  for (let i = 0; i < n; i += BATCH) {
    await store.db.transaction().execute(async (trx) => {
      const rows = Array.from({ length: Math.min(BATCH, n - i) }, (_, j) => ({
        id: i + j + 1,
        kind: 'bench.raw',
        body,
        at_ms: Date.now(),
      }));
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a scratch table outside the typed schema
      await (trx as any).insertInto('bench_raw').values(rows).execute();
    });
  }
  return n / ((performance.now() - started) / 1000);
}

async function eventRate(store: Store, n: number): Promise<number> {
  let received = 0;
  // The first CloudEvent compiles the validation schema (a one-time cost of ~0.5 s): not throughput.
  buildEnvelope({ type: 'bench.warm-up', source: '/bench' });
  const dispatcher = new EventDispatcher({ store, batchSize: 1000 }).subscribe({
    name: 'counter',
    types: ['bench.*'],
    handle: () => void received++,
  });
  const started = performance.now();
  // Producer and dispatcher run at the same time, as they do in the layer.
  dispatcher.start();
  for (let i = 0; i < n; i += BATCH) {
    const events = Array.from({ length: Math.min(BATCH, n - i) }, (_, j) => ({
      type: 'bench.event',
      source: '/bench',
      data: { n: i + j },
    }));
    await store.db.transaction().execute((trx) => emitMany(trx, events));
    dispatcher.kick();
  }
  while (received < n) await new Promise((r) => setTimeout(r, 2));
  const elapsed = performance.now() - started;
  await dispatcher.stop();
  if (received !== n) throw new Error(`expected ${n} deliveries, saw ${received}`);
  return n / (elapsed / 1000);
}

async function workflowRate(store: Store, n: number): Promise<number> {
  const def = defineWorkflow<{ n: number }>({
    name: 'bench-three-steps',
    steps: ['reserve', 'post', 'notify'].map((name) => ({ name, run: async ({ input }) => ({ [name]: input.n }) })),
  });
  const engine = new WorkflowEngine({ store, definitions: [def], concurrency: 32 });
  const started = performance.now();
  // Runs are started by 8 concurrent callers while the engine executes them.
  const starting = Promise.all(
    Array.from({ length: 8 }, async (_, caller) => {
      for (let i = caller; i < n; i += 8) await engine.startRun('bench-three-steps', { n: i }, { runKey: `r${i}` });
    }),
  );
  engine.start();
  await starting;
  for (;;) {
    const open = await store.db
      .selectFrom('workflow_runs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '!=', 'completed')
      .executeTakeFirstOrThrow();
    if (Number(open.n) === 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  await engine.stop();
  const elapsed = performance.now() - started;
  const done = await store.db
    .selectFrom('workflow_runs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', '=', 'completed')
    .executeTakeFirstOrThrow();
  if (Number(done.n) !== n) throw new Error(`expected ${n} completed runs, saw ${done.n}`);
  return n / (elapsed / 1000);
}

async function measure(
  engine: string,
  open: () => Promise<{ url: string; cleanup: () => Promise<void> }>,
  events: number,
  runs: number,
): Promise<Figures> {
  const fresh = async () => {
    const { url, cleanup } = await open();
    const store = createStore({ databaseUrl: url });
    await migrateToLatest(store);
    return {
      store,
      done: async () => {
        await store.close();
        await cleanup();
      },
    };
  };
  const a = await fresh();
  const rawInsertsPerSec = await rawInsertRate(a.store, events);
  await a.done();
  const b = await fresh();
  const eventsPerSec = await eventRate(b.store, events);
  await b.done();
  const c = await fresh();
  const runsPerSec = await workflowRate(c.store, runs);
  await c.done();
  return { engine, rawInsertsPerSec, eventsPerSec, runsPerSec };
}

function sqliteFile(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ps-layer-bench-'));
  return Promise.resolve({ url: `sqlite:${join(dir, 'bench.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) });
}

async function pgSchema(baseUrl: string): Promise<{ url: string; cleanup: () => Promise<void> }> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    cleanup: async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(9);

/** Entry point for bench/index.ts (`npm run bench -- core …`); also the default export. */
export async function run(argv: string[] = []): Promise<Figures[]> {
  const { values } = parseArgs({
    args: argv,
    options: { events: { type: 'string', default: '20000' }, runs: { type: 'string', default: '2000' }, pg: { type: 'string' } },
    allowPositionals: true,
  });
  const events = Number(values.events);
  const runs = Number(values.runs);
  const pgUrl = values.pg ?? process.env.TEST_DATABASE_URL;
  const results: Figures[] = [await measure('sqlite', sqliteFile, events, runs)];
  if (pgUrl) results.push(await measure('postgres', () => pgSchema(pgUrl), events, runs));
  else console.log('(PostgreSQL skipped: pass --pg <url> or set TEST_DATABASE_URL)');
  console.log(`\ncore benchmark: ${events} events, ${runs} three-step workflow runs per engine\n`);
  console.log('engine     raw inserts/s   events/s  ratio     runs/s  ratio');
  for (const r of results) {
    console.log(
      `${r.engine.padEnd(10)} ${fmt(r.rawInsertsPerSec)}     ${fmt(r.eventsPerSec)}  ${(r.eventsPerSec / r.rawInsertsPerSec).toFixed(3)}  ${fmt(r.runsPerSec)}  ${(r.runsPerSec / r.rawInsertsPerSec).toFixed(4)}`,
    );
  }
  const sqlite = results[0];
  console.log(`\nSQLite events/s target 10,000: ${sqlite.eventsPerSec >= 10_000 ? 'met' : 'NOT met'} (${Math.round(sqlite.eventsPerSec)})`);
  return results;
}

export default run;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
