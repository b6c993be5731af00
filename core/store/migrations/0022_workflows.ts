// Durable workflow runs, their checkpointed steps and dead letters. Instants: epoch ms;
// inputs, results and error histories: JSON text.
import { PostgresAdapter, type Kysely } from 'kysely';
import { JSON_TEXT, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('workflow_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('run_key', 'text', (c) => c.notNull())
    .addColumn('input', JSON_TEXT, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('current_step', 'text')
    .addColumn('result', JSON_TEXT)
    .addColumn('error', 'text')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('lease_until_ms', TIMESTAMP_MS)
    .addColumn('created_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('updated_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('finished_at_ms', TIMESTAMP_MS)
    .addUniqueConstraint('workflow_runs_key_uq', ['definition', 'run_key'])
    .execute();
  await db.schema.createIndex('workflow_runs_due_idx').on('workflow_runs').columns(['state', 'next_attempt_ms']).execute();
  await db.schema.createIndex('workflow_runs_created_idx').on('workflow_runs').columns(['created_at_ms']).execute();

  await db.schema
    .createTable('workflow_steps')
    .addColumn('run_id', 'text', (c) => c.notNull().references('workflow_runs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('result', JSON_TEXT)
    .addColumn('errors', JSON_TEXT, (c) => c.notNull())
    .addColumn('started_at_ms', TIMESTAMP_MS)
    .addColumn('finished_at_ms', TIMESTAMP_MS)
    .addPrimaryKeyConstraint('workflow_steps_pk', ['run_id', 'name'])
    .execute();

  await db.schema
    .createTable('workflow_dead_letters')
    .addColumn('id', pg ? 'bigserial' : 'integer', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull().references('workflow_runs.id'))
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('input', JSON_TEXT, (c) => c.notNull())
    .addColumn('errors', JSON_TEXT, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('replayed_at_ms', TIMESTAMP_MS)
    .execute();
  await db.schema.createIndex('workflow_dead_letters_run_idx').on('workflow_dead_letters').column('run_id').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('workflow_dead_letters').execute();
  await db.schema.dropTable('workflow_steps').execute();
  await db.schema.dropTable('workflow_runs').execute();
}
