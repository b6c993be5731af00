// Runs the migrations in core/store/migrations/ (files NNNN_name.ts exporting up/down)
// in name order. kysely runs all pending migrations of one call in ONE transaction on
// both engines (SQLite DDL is transactional too), so a failure anywhere rolls the whole
// call back: the database is left exactly as it was. On PostgreSQL a session advisory
// lock makes concurrent start-ups wait for each other instead of applying twice.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  Migrator,
  sql,
  type DatabaseIntrospector,
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  type TableMetadata,
} from 'kysely';
import type { Store } from './index.js';
import type { Database } from './schema.js';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const MIGRATION_FILE = /^\d{4}_[a-z0-9_]+\.(ts|js)$/;

class DirectoryMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.dir)).filter((f) => MIGRATION_FILE.test(f) && !f.endsWith('.d.ts')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const name = file.replace(/\.(ts|js)$/, '');
      let mod: Migration;
      try {
        mod = (await import(pathToFileURL(join(this.dir, file)).href)) as Migration;
      } catch (cause) {
        throw new MigrationError(name, cause, []);
      }
      if (typeof mod.up !== 'function') throw new MigrationError(name, new Error('it exports no up() function'), []);
      migrations[name] = mod;
    }
    return migrations;
  }
}

export class MigrationError extends Error {
  constructor(
    readonly migration: string | undefined,
    cause: unknown,
    /** Migrations of the same run that had succeeded before the failure and were rolled back with it. */
    readonly rolledBack: string[],
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const also = rolledBack.length ? ` (rolled back with it: ${rolledBack.join(', ')})` : '';
    super(
      `Database migration ${migration ?? '(before any migration ran)'} failed: ${reason}. ` +
        `Nothing from this run was applied; the database is as it was before${also}.`,
      { cause },
    );
    this.name = 'MigrationError';
  }
}

/**
 * On PostgreSQL the bookkeeping tables live in the connection's current schema, named
 * explicitly: kysely looks for them across every schema of the database, and a
 * `kysely_migration` table in another schema (another tenant, a parallel test) would
 * otherwise be mistaken for ours.
 */
async function migrationTableSchema(store: Store): Promise<string | undefined> {
  if (store.engine !== 'postgres') return undefined;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
  return rows[0]?.schema;
}

/**
 * kysely's PostgreSQL introspector scans every schema and calls has_schema_privilege by
 * name, which fails with "schema does not exist" when another tenant (or a parallel test)
 * drops its schema mid-scan. The migrator only needs to know whether its own two tables
 * exist, so on PostgreSQL it gets an introspector that looks at the current schema alone.
 */
function currentSchemaIntrospector(db: Kysely<Database>): DatabaseIntrospector {
  const base = db.introspection;
  return {
    getSchemas: () => base.getSchemas(),
    getMetadata: async () => ({ tables: await currentSchemaTables(db) }),
    getTables: () => currentSchemaTables(db),
  };
}

async function currentSchemaTables(db: Kysely<Database>): Promise<TableMetadata[]> {
  const { rows } = await sql<{ name: string; schema: string }>`
    select c.relname as name, n.nspname as schema
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v')`.execute(db);
  return rows.map((r) => ({ name: r.name, schema: r.schema, isView: false, columns: [] }));
}

/** The store's db, with the introspection the migrator uses narrowed on PostgreSQL. */
function migratorDb(store: Store): Kysely<Database> {
  if (store.engine !== 'postgres') return store.db;
  const introspection = currentSchemaIntrospector(store.db);
  return new Proxy(store.db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, property, target);
      // Kysely keeps its state in #private fields: methods must run bound to the real instance.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export async function createMigrator(store: Store, dir = MIGRATIONS_DIR): Promise<Migrator> {
  return new Migrator({
    db: migratorDb(store),
    provider: new DirectoryMigrationProvider(dir),
    migrationTableSchema: await migrationTableSchema(store),
    // Owners number their migrations in separate ranges (see migrations/README.md), so a
    // core migration 0021 may land after a system API's 0100 was applied. Order within
    // the pending set is still by name.
    allowUnorderedMigrations: true,
  });
}

/** Brings the schema to the latest migration; throws MigrationError naming the one that failed. */
export async function migrateToLatest(store: Store, dir = MIGRATIONS_DIR): Promise<MigrationResultSet> {
  let result: MigrationResultSet;
  try {
    result = await (await createMigrator(store, dir)).migrateToLatest();
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError(undefined, error, []);
  }
  if (result.error) {
    if (result.error instanceof MigrationError) throw result.error;
    const failed = result.results?.find((r) => r.status === 'Error');
    const rolledBack = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    throw new MigrationError(failed?.migrationName, result.error, rolledBack);
  }
  return result;
}

/** Names of the migrations applied by a run, in order. */
export function appliedMigrations(result: MigrationResultSet): string[] {
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
