// Discarded dead letters now live in the workflow engine's table (0024): move the ones the
// operations API recorded in its own table there, then drop that table.
import { sql, type Kysely } from 'kysely';
import { TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
export async function up(db: Kysely<any>): Promise<void> {
  const from = (column: string) =>
    sql`(select x.${sql.ref(column)} from ops_dead_letter_discards x where x.dead_letter_id = workflow_dead_letters.id)`;
  await sql`update workflow_dead_letters set
      state = 'discarded',
      discard_reason = ${from('reason')},
      discarded_by = ${from('discarded_by')},
      discard_correlation_id = ${from('correlation_id')},
      discarded_at_ms = ${from('discarded_at_ms')}
    where id in (select dead_letter_id from ops_dead_letter_discards)`.execute(db);
  await db.schema.dropTable('ops_dead_letter_discards').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ops_dead_letter_discards')
    .addColumn('dead_letter_id', 'bigint', (c) => c.primaryKey())
    .addColumn('reason', 'varchar(500)', (c) => c.notNull())
    .addColumn('discarded_by', 'varchar(256)', (c) => c.notNull())
    .addColumn('correlation_id', 'varchar(128)')
    .addColumn('discarded_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
  await sql`insert into ops_dead_letter_discards (dead_letter_id, reason, discarded_by, correlation_id, discarded_at_ms)
    select id, coalesce(discard_reason, ''), coalesce(discarded_by, ''), discard_correlation_id, coalesce(discarded_at_ms, 0)
    from workflow_dead_letters where state = 'discarded'`.execute(db);
}
