// Reading and moving a change cursor. A move is a compare-and-set on the position the mover
// read: when two pollers (two replicas) race, one move fails and its transaction rolls back,
// so a change is recorded once and the cursor never goes backwards.
import type { DbExecutor } from '../store/index.js';
import { fromJson, nowMs, toJson } from '../store/portable.js';
import type { Selectable } from 'kysely';
import type { ChangeCursorsTable } from './schema.js';
import './schema.js';

export interface ChangeCursor<P> {
  stream: string;
  position: P;
  lastChangeAt: Date | null;
  caughtUpAt: Date | null;
  changesRecorded: number;
  updatedAt: Date;
}

const date = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));

function cursorOf<P>(row: Selectable<ChangeCursorsTable>): ChangeCursor<P> {
  return {
    stream: row.stream,
    position: fromJson<P>(row.position) as P,
    lastChangeAt: date(row.last_change_ms),
    caughtUpAt: date(row.caught_up_at_ms),
    changesRecorded: Number(row.changes_recorded),
    updatedAt: new Date(Number(row.updated_at_ms)),
  };
}

export async function readCursor<P>(db: DbExecutor, stream: string): Promise<ChangeCursor<P> | undefined> {
  const row = await db.selectFrom('change_cursors').selectAll().where('stream', '=', stream).executeTakeFirst();
  return row ? cursorOf<P>(row) : undefined;
}

/** Every cursor, for the operations view and its lag figures: one query. */
export async function listCursors(db: DbExecutor): Promise<ChangeCursor<unknown>[]> {
  const rows = await db.selectFrom('change_cursors').selectAll().orderBy('stream').execute();
  return rows.map((row) => cursorOf<unknown>(row));
}

export interface CursorMove<P> {
  /** The position read before pulling; undefined when the stream had no cursor yet. */
  from: P | undefined;
  to: P;
  recorded: number;
  lastChangeMs?: number;
  caughtUp: boolean;
  now?: number;
}

/** Moves the cursor if it still stands at `from`; resolves false when another poller moved it first. */
export async function moveCursor<P>(db: DbExecutor, stream: string, move: CursorMove<P>): Promise<boolean> {
  const now = move.now ?? nowMs();
  const to = toJson(move.to);
  if (move.from === undefined) {
    const inserted = await db
      .insertInto('change_cursors')
      .values({
        stream,
        position: to,
        last_change_ms: move.lastChangeMs ?? null,
        caught_up_at_ms: move.caughtUp ? now : null,
        changes_recorded: move.recorded,
        updated_at_ms: now,
      })
      .onConflict((oc) => oc.column('stream').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  }
  const updated = await db
    .updateTable('change_cursors')
    .set((eb) => ({
      position: to,
      updated_at_ms: now,
      changes_recorded: eb('changes_recorded', '+', move.recorded),
      ...(move.lastChangeMs !== undefined ? { last_change_ms: move.lastChangeMs } : {}),
      ...(move.caughtUp ? { caught_up_at_ms: now } : {}),
    }))
    .where('stream', '=', stream)
    .where('position', '=', toJson(move.from))
    .executeTakeFirst();
  return Number(updated.numUpdatedRows ?? 0n) > 0;
}
