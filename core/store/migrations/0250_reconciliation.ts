// The reconciliation journey's records: the exceptions its checks found (with their history and
// status), the passes that found them, each check's last result, and the one lease that lets a
// single pass run at a time across replicas.
import { sql, type Kysely } from 'kysely';
import { ID, JSON_TEXT, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('recon_exceptions')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('check_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('journey', 'varchar(64)', (c) => c.notNull())
    .addColumn('question', 'varchar(64)', (c) => c.notNull())
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('key', 'varchar(300)', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('records', JSON_TEXT, (c) => c.notNull())
    .addColumn('money_minor', 'bigint')
    .addColumn('money_currency', 'varchar(3)')
    .addColumn('repair', JSON_TEXT, (c) => c.notNull())
    .addColumn('run', JSON_TEXT)
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    // 1 while this is the exception of its (check, type, key): a mismatch found again updates it;
    // 0 once it is no longer found, so a later recurrence opens a new exception.
    .addColumn('live', 'integer', (c) => c.notNull())
    .addColumn('first_seen_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('last_seen_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('resolved_at_ms', TIMESTAMP_MS)
    .addColumn('resolved_by', 'varchar(200)')
    .addColumn('dismiss_reason', 'varchar(500)')
    .addColumn('repair_run_id', 'varchar(64)')
    .addColumn('repair_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pass_id', ID)
    .execute();
  await db.schema
    .createIndex('recon_exceptions_live_uq')
    .unique()
    .on('recon_exceptions')
    .columns(['check_name', 'type', 'key'])
    .where(sql.ref('live'), '=', 1)
    .execute();
  await db.schema.createIndex('recon_exceptions_status_idx').on('recon_exceptions').columns(['status', 'question', 'id']).execute();
  await db.schema.createIndex('recon_exceptions_check_idx').on('recon_exceptions').columns(['check_name', 'live']).execute();

  await db.schema
    .createTable('recon_passes')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('journey', 'varchar(64)')
    .addColumn('scope', 'varchar(16)', (c) => c.notNull())
    .addColumn('trigger', 'varchar(16)', (c) => c.notNull())
    .addColumn('repair', 'integer', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('started_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('finished_at_ms', TIMESTAMP_MS)
    .addColumn('started_by', 'varchar(200)')
    .addColumn('compared', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('found', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('opened', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('resolved', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('repairs_started', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('checks', JSON_TEXT, (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('recon_passes_scope_idx').on('recon_passes').columns(['scope', 'started_at_ms']).execute();

  await db.schema
    .createTable('recon_check_results')
    .addColumn('check_name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('question', 'varchar(64)', (c) => c.notNull())
    .addColumn('journey', 'varchar(64)', (c) => c.notNull())
    .addColumn('last_run_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('last_success_ms', TIMESTAMP_MS)
    .addColumn('last_error', 'text')
    .execute();

  await db.schema
    .createTable('recon_lease')
    .addColumn('name', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('holder', 'varchar(256)')
    .addColumn('pass_id', ID)
    .addColumn('expires_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('recon_lease').execute();
  await db.schema.dropTable('recon_check_results').execute();
  await db.schema.dropTable('recon_passes').execute();
  await db.schema.dropTable('recon_exceptions').execute();
}
