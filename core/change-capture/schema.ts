// Table type for the durable change cursors. Instants: epoch ms.

export interface ChangeCursorsTable {
  /** One per feed, e.g. `scheduling:tasks` or `crm:/data/ChangeEvents`. */
  stream: string;
  /** The feed's own position as JSON (watermark + tie-breaker, replay id, …), compared as text. */
  position: string;
  /** When the newest change recorded through this cursor happened on the platform. */
  last_change_ms: number | null;
  /** When a poll last reached the end of the feed: nothing older than this is unseen. */
  caught_up_at_ms: number | null;
  changes_recorded: number;
  updated_at_ms: number;
}

declare module '../store/schema.js' {
  interface Database {
    change_cursors: ChangeCursorsTable;
  }
}
