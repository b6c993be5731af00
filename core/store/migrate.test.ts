// Migrations on both engines: everything applies, a broken migration changes nothing,
// and on PostgreSQL two concurrent start-ups do not apply anything twice.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from './index.js';
import { appliedMigrations, MigrationError, migrateToLatest } from './migrate.js';
import { freshStore, testEngines } from '../../test/support/stores.js';

/** Tables with their columns, of this store's own schema only, as sorted strings. */
async function schemaSnapshot(store: Store): Promise<string[]> {
  const tables = await store.db.introspection.getTables({ withInternalKyselyTables: true });
  let schema: string | undefined;
  if (store.engine === 'postgres') {
    schema = (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0].s;
  }
  return tables
    .filter((t) => schema === undefined || t.schema === schema)
    .map(
      (t) =>
        `${t.name}(${t.columns
          .map((c) => c.name)
          .sort()
          .join(',')})`,
    )
    .sort();
}

async function appliedNames(store: Store): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
  return rows.map((r) => r.name);
}

function migrationDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ps-layer-migrations-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}

const goodFirst = `export async function up(db) {
  await db.schema.createTable('first_table').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
}`;
const goodSecond = `export async function up(db) {
  await db.schema.createTable('second_table').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
  await db.schema.alterTable('first_table').addColumn('extra', 'text').execute();
  await db.insertInto('first_table').values({ id: 1, extra: 'x' }).execute();
}`;
const broken = `export async function up(db) {
  await db.schema.createTable('third_table').addColumn('id', 'integer').execute();
  await db.schema.alterTable('no_such_table').addColumn('oops', 'integer').execute();
}`;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(testEngines())('migrations on $name', (engine) => {
  afterAll(() => engine.cleanup());

  it('applies every migration of the project once, and a second run applies nothing', async () => {
    const store = await freshStore(engine);
    try {
      const first = appliedMigrations(await migrateToLatest(store));
      expect(first).toEqual(expect.arrayContaining(['0001_xref', '0002_audit', '0003_idempotency']));
      expect(appliedMigrations(await migrateToLatest(store))).toEqual([]);
      expect(await appliedNames(store)).toEqual([...first].sort());
    } finally {
      await store.close();
    }
  });

  it('a failed migration names itself and leaves the database exactly as it was', async () => {
    const dir = migrationDir({ '0001_first.ts': goodFirst });
    dirs.push(dir);
    const store = await freshStore(engine);
    try {
      await migrateToLatest(store, dir);
      const before = await schemaSnapshot(store);
      writeFileSync(join(dir, '0002_second.ts'), goodSecond);
      writeFileSync(join(dir, '0003_broken.ts'), broken);

      const failure = await migrateToLatest(store, dir).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(MigrationError);
      expect((failure as MigrationError).migration).toBe('0003_broken');
      expect((failure as MigrationError).message).toMatch(/0003_broken failed: .*database is as it was/);
      expect((failure as MigrationError).rolledBack).toEqual(['0002_second']);

      // 0002 succeeded inside the same run, so it was rolled back with 0003: schema, rows and bookkeeping unchanged.
      expect(await schemaSnapshot(store)).toEqual(before);
      expect(before).toContain('first_table(id)');
      expect(await appliedNames(store)).toEqual(['0001_first']);
      const rows = await sql<{ n: number }>`select count(*) as n from first_table`.execute(store.db);
      expect(Number(rows.rows[0].n)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('a migration file that does not load is reported by name and nothing runs', async () => {
    const dir = migrationDir({ '0001_first.ts': goodFirst, '0002_nonsense.ts': 'export const up = 42;' });
    dirs.push(dir);
    const store = await freshStore(engine);
    try {
      await expect(migrateToLatest(store, dir)).rejects.toThrow(/0002_nonsense failed: it exports no up\(\) function/);
      expect((await schemaSnapshot(store)).some((t) => t.startsWith('first_table'))).toBe(false);
    } finally {
      await store.close();
    }
  });

  it.skipIf(engine.name !== 'postgres')('two processes starting at once apply each migration exactly once', async () => {
    const url = await engine.freshUrl();
    const a = createStore({ databaseUrl: url });
    const b = createStore({ databaseUrl: url });
    try {
      const [ra, rb] = await Promise.all([migrateToLatest(a), migrateToLatest(b)]);
      const appliedA = appliedMigrations(ra);
      const appliedB = appliedMigrations(rb);
      // The advisory lock serialises them: one applies everything, the other finds nothing left.
      expect(appliedA.filter((n) => appliedB.includes(n))).toEqual([]);
      expect([...appliedA, ...appliedB].sort()).toEqual(await appliedNames(a));
      expect(await appliedNames(a)).toContain('0003_idempotency');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
