// Runs the migrations in core/store/migrations/ (files NNNN_name.ts exporting up/down)
// in name order, each inside one transaction, so a failure leaves the database as it was.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Store } from './index.js';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

class DirectoryMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.(ts|js)$/.test(f)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const mod = (await import(pathToFileURL(join(this.dir, file)).href)) as Migration;
      migrations[file.replace(/\.(ts|js)$/, '')] = mod;
    }
    return migrations;
  }
}

export class MigrationError extends Error {
  constructor(readonly migration: string | undefined, cause: unknown) {
    super(
      `Database migration ${migration ?? '(unknown)'} failed and was rolled back: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'MigrationError';
  }
}

export function createMigrator(store: Store, dir = MIGRATIONS_DIR): Migrator {
  return new Migrator({ db: store.db, provider: new DirectoryMigrationProvider(dir) });
}

/** Brings the schema to the latest migration; throws MigrationError naming the one that failed. */
export async function migrateToLatest(store: Store, dir = MIGRATIONS_DIR): Promise<MigrationResultSet> {
  const result = await createMigrator(store, dir).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new MigrationError(failed?.migrationName, result.error);
  }
  return result;
}
