// The change feeds as an operator sees them: every cursor in change_cursors with its position in
// words and how far behind it may be, plus whether a stream this process subscribes to is
// connected now (the stream's own state; a poll's lag comes from the store, so any replica's pass counts).
import { listCursors, type ChangeCursor } from '../../core/change-capture/index.js';
import type { DbExecutor } from '../../core/store/index.js';
import type { ChangeFeed } from './types.js';

/** A subscription this process holds (the CRM's change stream): its cursor's name and whether it is subscribed now. */
export interface LiveStream {
  readonly stream: string;
  readonly connected: boolean;
}

const MAX_POSITION = 300;
const CONTROL = /[\x00-\x1F\x7F-\x9F]/g;

/** A feed's own JSON position in words: `replayId 42`, `watermark …, lastId …`; lists by their length. */
export function describePosition(position: unknown): string {
  const words =
    position && typeof position === 'object' && !Array.isArray(position)
      ? Object.entries(position as Record<string, unknown>)
          .map(([key, value]) => `${key} ${Array.isArray(value) ? `(${value.length})` : value === '' ? '-' : String(value)}`)
          .join(', ')
      : String(JSON.stringify(position));
  const clean = words.replace(CONTROL, ' ');
  return clean.length > MAX_POSITION ? `${clean.slice(0, MAX_POSITION - 1)}…` : clean;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function changeFeedView(cursor: ChangeCursor<unknown>, live: LiveStream | undefined, now: number): ChangeFeed {
  const pass = cursor.caughtUpAt?.getTime();
  const lagSeconds = live?.connected ? 0 : pass === undefined ? null : Math.max(0, Math.floor((now - pass) / 1000));
  return {
    stream: cursor.stream,
    platform: cursor.stream.split(':')[0]!.slice(0, 32),
    position: describePosition(cursor.position),
    lastChangeAt: iso(cursor.lastChangeAt),
    lastCompletePassAt: iso(cursor.caughtUpAt),
    lagSeconds,
    changesRecorded: cursor.changesRecorded,
    ...(live ? { connected: live.connected } : {}),
  };
}

export async function listChangeFeeds(db: DbExecutor, liveStreams: readonly LiveStream[] = [], now = Date.now()): Promise<ChangeFeed[]> {
  const cursors = await listCursors(db);
  return cursors.map((c) =>
    changeFeedView(
      c,
      liveStreams.find((s) => s.stream === c.stream),
      now,
    ),
  );
}
