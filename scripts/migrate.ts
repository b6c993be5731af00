// `npm run migrate [-- --dir <folder>]`: brings the configured database to the latest
// migration, prints what was applied, and exits 1 with a message naming the failed one.
import { loadConfig, ConfigError } from '../core/config/index.js';
import { createStore, storeOptionsFromConfig } from '../core/store/index.js';
import { appliedMigrations, migrateToLatest, MIGRATIONS_DIR } from '../core/store/migrate.js';

function dirArgument(argv: string[]): string {
  const i = argv.indexOf('--dir');
  if (i === -1) return MIGRATIONS_DIR;
  const dir = argv[i + 1];
  if (!dir) throw new Error('--dir needs a folder');
  return dir;
}

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const store = createStore(storeOptionsFromConfig(config.store, config.runtime.varDir));
  try {
    const result = await migrateToLatest(store, dirArgument(process.argv.slice(2)));
    const applied = appliedMigrations(result);
    process.stdout.write(`Database ${store.location} (${store.engine}): `);
    process.stdout.write(applied.length ? `applied ${applied.length} migration(s)\n` : 'already up to date\n');
    for (const name of applied) process.stdout.write(`  applied ${name}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`Migration failed on ${store.location}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

process.exitCode = await main();
