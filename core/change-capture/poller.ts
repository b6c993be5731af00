// Catch-up change capture: a feed the layer polls itself (a platform's list of changes since a
// watermark, a replay log) recorded into the inbox exactly once. Each page of changes is
// recorded in the transaction that moves the feed's cursor, so a crash between the two loses
// nothing and records nothing twice; the inbox then starts the same journeys a webhook would.
import type { Logger } from 'pino';
import { recordInboxMessage } from '../inbox/record.js';
import { PollLoop } from '../resilience/poll-loop.js';
import { withTransaction, type Store } from '../store/index.js';
import { nowMs } from '../store/portable.js';
import { moveCursor, readCursor } from './cursors.js';
import type { ChangeCaptureMetrics } from './metrics.js';

export interface CapturedChange {
  /** Unique within the feed's inbox source (a webhook for the same change may carry the same id). */
  id: string;
  /** When the change happened on the platform (epoch ms). */
  occurredAtMs: number;
  /** What the inbox handler for `source` reads; stored as JSON. */
  payload: unknown;
}

export interface ChangePage<P> {
  changes: CapturedChange[];
  /** Where the next pull starts. */
  next: P;
  /** False when this page reached the end of the feed. */
  more: boolean;
}

export interface ChangeFeed<P> {
  /** The cursor's name, e.g. `scheduling:tasks`. */
  stream: string;
  /** The inbox source whose handler takes the changes, e.g. `scheduling`. */
  source: string;
  /** Where a feed without a cursor starts (for example: now, or a configured look-back). */
  initial(): P | Promise<P>;
  pull(from: P): Promise<ChangePage<P>>;
}

export interface PollOutcome {
  recorded: number;
  duplicates: number;
  pages: number;
  caughtUp: boolean;
  /** Another poller moved the cursor first; this one stopped and recorded nothing more. */
  overtaken: boolean;
}

export interface ChangePollerOptions {
  store: Store;
  logger?: Logger;
  metrics?: ChangeCaptureMetrics;
  intervalMs: number;
  /** Pages per round at most, so that one busy feed cannot hold a poller for ever. */
  maxPages?: number;
  /** Called after a round recorded something (e.g. to wake the inbox processor). */
  onRecorded?: (count: number) => void;
}

export class ChangePoller<P> {
  private readonly loop: PollLoop;

  constructor(
    private readonly feed: ChangeFeed<P>,
    private readonly options: ChangePollerOptions,
  ) {
    this.loop = new PollLoop(
      async () => {
        await this.pollOnce();
        // Always wait the interval: a feed is polled on a schedule, not drained in a tight loop.
        return 0;
      },
      options.intervalMs,
      (err) => {
        options.metrics?.failed(feed.stream);
        options.logger?.warn({ stream: feed.stream, err: String(err) }, 'change feed poll failed; the next round retries');
      },
    );
  }

  get stream(): string {
    return this.feed.stream;
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One round: pull pages from the stored position until the feed is caught up (or `maxPages`). */
  async pollOnce(): Promise<PollOutcome> {
    const { store, metrics } = this.options;
    const maxPages = this.options.maxPages ?? 20;
    const outcome: PollOutcome = { recorded: 0, duplicates: 0, pages: 0, caughtUp: false, overtaken: false };
    const stored = await readCursor<P>(store.db, this.feed.stream);
    let from: P | undefined = stored?.position;
    let position: P = from ?? (await this.feed.initial());
    while (outcome.pages < maxPages) {
      const page = await this.feed.pull(position);
      outcome.pages += 1;
      const caughtUp = !page.more;
      const moved = await withTransaction(store, async (trx) => {
        const now = nowMs();
        let recorded = 0;
        for (const change of page.changes) {
          const fresh = await recordInboxMessage(trx, {
            source: this.feed.source,
            messageId: change.id,
            sentAtSeconds: Math.floor(change.occurredAtMs / 1000),
            body: JSON.stringify(change.payload),
            now,
          });
          if (fresh) recorded += 1;
        }
        const lastChangeMs = page.changes.reduce<number | undefined>(
          (m, c) => (m === undefined || c.occurredAtMs > m ? c.occurredAtMs : m),
          undefined,
        );
        const ok = await moveCursor(trx, this.feed.stream, { from, to: page.next, recorded, lastChangeMs, caughtUp, now });
        // Overtaken: undo this page's records; the poller that moved the cursor recorded them.
        if (!ok) throw new Overtaken();
        return recorded;
      }).catch((err: unknown) => {
        if (err instanceof Overtaken) return undefined;
        throw err;
      });
      if (moved === undefined) {
        outcome.overtaken = true;
        this.options.logger?.debug({ stream: this.feed.stream }, 'another poller moved the cursor first; this round stops');
        break;
      }
      outcome.recorded += moved;
      outcome.duplicates += page.changes.length - moved;
      metrics?.recorded(this.feed.stream, moved);
      from = page.next;
      position = page.next;
      if (caughtUp) {
        outcome.caughtUp = true;
        metrics?.caughtUp(this.feed.stream, Date.now());
        break;
      }
    }
    if (outcome.recorded > 0) {
      this.options.logger?.info(
        { stream: this.feed.stream, recorded: outcome.recorded, pages: outcome.pages },
        'changes recorded from feed',
      );
      this.options.onRecorded?.(outcome.recorded);
    }
    return outcome;
  }
}

class Overtaken extends Error {}
