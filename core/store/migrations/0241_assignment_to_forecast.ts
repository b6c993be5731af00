// Assignment-to-forecast's store: the last seen state of each Scheduling assignment (with the
// resource's capacity and the role's rate when it was seen), from which forecasts and
// utilisation are computed, and the staffing conflicts found in it.
import type { Kysely } from 'kysely';
import { ID, JSON_TEXT, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('atf_assignments')
    .addColumn('assignment_id', ID, (c) => c.primaryKey())
    .addColumn('engagement_id', ID, (c) => c.notNull())
    .addColumn('resource_id', ID, (c) => c.notNull())
    .addColumn('role', 'varchar(64)', (c) => c.notNull())
    .addColumn('start_date', 'varchar(10)', (c) => c.notNull())
    .addColumn('end_date', 'varchar(10)', (c) => c.notNull())
    .addColumn('minutes_per_week', 'integer', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('capacity_minutes', 'integer', (c) => c.notNull())
    .addColumn('rate_minor', 'bigint')
    .addColumn('currency', 'varchar(3)')
    .addColumn('updated_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('atf_assignments_engagement_idx').on('atf_assignments').column('engagement_id').execute();
  await db.schema.createIndex('atf_assignments_resource_idx').on('atf_assignments').column('resource_id').execute();
  await db.schema
    .createTable('atf_conflicts')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('resource_id', ID, (c) => c.notNull())
    .addColumn('week_start', 'varchar(10)', (c) => c.notNull())
    .addColumn('capacity_minutes', 'integer', (c) => c.notNull())
    .addColumn('assigned_minutes', 'integer', (c) => c.notNull())
    .addColumn('assignment_ids', JSON_TEXT, (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('detected_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addUniqueConstraint('atf_conflicts_week_uq', ['resource_id', 'week_start'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('atf_conflicts').execute();
  await db.schema.dropTable('atf_assignments').execute();
}
