// Test stores: every test file gets its own fresh database on each engine it can reach.
// SQLite always (a temp file); PostgreSQL when TEST_DATABASE_URL is set, in a schema of
// its own so that test files running in parallel never see each other's rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createStore, type Store } from '../../core/store/index.js';
import { migrateToLatest } from '../../core/store/migrate.js';

export interface TestEngine {
  name: 'sqlite' | 'postgres';
  /** A DATABASE_URL for a new, empty database (a fresh SQLite file or a fresh PG schema). */
  freshUrl(): Promise<string>;
  /** Drops everything this engine handed out. */
  cleanup(): Promise<void>;
}

const pgUrl = process.env.TEST_DATABASE_URL;

function sqliteEngine(): TestEngine {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    async freshUrl() {
      const dir = mkdtempSync(join(tmpdir(), 'ps-layer-test-'));
      dirs.push(dir);
      return `sqlite:${join(dir, 'layer.db')}`;
    },
    async cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresEngine(baseUrl: string): TestEngine {
  const schemas: string[] = [];
  return {
    name: 'postgres',
    async freshUrl() {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${schema}`);
      } finally {
        await client.end();
      }
      schemas.push(schema);
      const url = new URL(baseUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return url.toString();
    },
    async cleanup() {
      if (schemas.length === 0) return;
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The engines this run can test: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function testEngines(): TestEngine[] {
  const engines: TestEngine[] = [sqliteEngine()];
  if (pgUrl) engines.push(postgresEngine(pgUrl));
  else if (!warned) {
    warned = true;
    console.warn('[test] TEST_DATABASE_URL not set: PostgreSQL variants of the store tests are skipped');
  }
  return engines;
}
let warned = false;

/** Opens a fresh store on the given engine (migrations not run). */
export async function freshStore(engine: TestEngine): Promise<Store> {
  return createStore({ databaseUrl: await engine.freshUrl() });
}

export const redisUrl = process.env.TEST_REDIS_URL;

/** Opens a fresh store on the given engine with every migration applied. */
export async function migratedStore(engine: TestEngine): Promise<Store> {
  const store = await freshStore(engine);
  try {
    await migrateToLatest(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
