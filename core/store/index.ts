// One storage layer on two engines: the embedded SQLite file (default, zero set-up)
// and PostgreSQL for several replicas. Same kysely code, same migrations.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type Transaction,
  type TransactionSettings,
} from 'kysely';
import type { Database } from './schema.js';
import type { StoreConfig } from '../config/store.js';

export * from './portable.js';

export type Engine = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  engine: Engine;
  /** Where the data lives, with credentials removed: safe to log. */
  location: string;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** `postgres://…`, `sqlite:<path>`, `sqlite::memory:`; unset = `sqlite:<varDir>/layer.db`. */
  databaseUrl?: string;
  varDir?: string;
  poolMax?: number;
}

/** SQLite runs DDL inside transactions; telling kysely so makes a failed migration roll back whole. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Write transactions start with BEGIN IMMEDIATE: they take SQLite's write lock up front and
 * wait for it (busy_timeout) instead of failing with SQLITE_BUSY when a read inside the
 * transaction must later be upgraded to a write while another process holds the lock. This
 * is also what serialises two processes migrating one SQLite file at the same time.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    const begin = settings?.accessMode === 'read only' ? 'begin' : 'begin immediate';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }
}

class TransactionalSqliteDialect extends SqliteDialect {
  constructor(private readonly sqliteConfig: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(sqliteConfig);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.sqliteConfig);
  }
}

// PostgreSQL BIGINT (int8) and NUMERIC come back as strings by default; money is stored in
// integer minor units that fit in a JS number, so int8 is parsed as a number.
pg.types.setTypeParser(20, (value: string) => Number(value));

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

export function createStore(options: StoreOptions = {}): Store {
  const url = options.databaseUrl ?? `sqlite:${resolve(options.varDir ?? 'var', 'layer.db')}`;
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: options.poolMax ?? 10 });
    // An idle client losing its connection emits 'error' on the pool; unhandled, that
    // would end the process. The next checkout reconnects, so it is only worth a note.
    pool.on('error', (err) => process.emitWarning(`PostgreSQL pool: idle client error: ${err.message}`));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine: 'postgres', location: redactUrl(url), close: () => db.destroy() };
  }
  const path = url.replace(/^sqlite:/, '');
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('busy_timeout = 5000');
  useWriteAheadLog(sqlite);
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new TransactionalSqliteDialect({ database: sqlite }) });
  return { db, engine: 'sqlite', location: path, close: () => db.destroy() };
}

/**
 * WAL mode is kept in the file, so only the first opening switches it. Switching takes a lock
 * that SQLite does not wait for (busy_timeout does not apply), so two processes opening a new
 * file at once (two `npm run migrate`, say) would see SQLITE_BUSY: retry for up to 5 s.
 */
function useWriteAheadLog(sqlite: SqliteDatabase.Database): void {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      if (sqlite.pragma('journal_mode', { simple: true }) === 'wal') return;
      sqlite.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25); // a synchronous pause: the store is built synchronously
    }
  }
}

/** Store options from the validated configuration (DATABASE_URL, DATABASE_POOL_MAX, VAR_DIR). */
export function storeOptionsFromConfig(store: StoreConfig, varDir: string): StoreOptions {
  return { databaseUrl: store.databaseUrl, varDir, poolMax: store.databasePoolMax };
}

/**
 * Runs `fn` in one transaction on either engine: committed when it resolves, rolled back
 * when it throws. Pass the `trx` to recordAudit, link, outbox writes… so they commit together.
 */
export function withTransaction<T>(store: Store | Kysely<Database>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const db = store instanceof Kysely ? store : store.db;
  return db.transaction().execute(fn);
}

/** Anything queries can run on: the store's db or a transaction opened on it. */
export type DbExecutor = Kysely<Database> | Transaction<Database>;
