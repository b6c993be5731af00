// The CRM's Change Data Capture stream: a Streaming API subscription that records each change
// event into the inbox (source `crm`, keyed by transactionKey:sequenceNumber, so a relayed
// webhook of the same change is a duplicate) in the transaction that stores its replay id. On
// restart it subscribes from the stored id; a stored id outside the retention window is
// replaced by -2 (every retained event), counted and logged.
import type { ChangeCaptureMetrics } from '../../core/change-capture/index.js';
import { moveCursor, readCursor } from '../../core/change-capture/index.js';
import { recordInboxMessage } from '../../core/inbox/record.js';
import type { Logger } from '../../core/observability/logger.js';
import { withTransaction, type Store } from '../../core/store/index.js';
import { nowMs } from '../../core/store/portable.js';
import { backoffMs } from '../kit/index.js';
import { BayeuxError, type BayeuxMessage, type CometdClient } from './cometd.js';
import type { CrmChangeStreamMetrics } from './change-stream-metrics.js';

/** The inbox source the events are recorded under: the same as the relay's webhooks. */
export const CRM_INBOX_SOURCE = 'crm';

/** What the stream stores in `change_cursors`: the replay id of the last event recorded. */
export interface StreamPosition {
  replayId: number;
}

export interface CrmChangeStreamOptions {
  cometd: CometdClient;
  store: Store;
  channel: string;
  logger?: Logger;
  /** Waits between failed sessions; default 1 s doubling up to 30 s, with jitter. */
  reconnect?: { baseMs?: number; capMs?: number };
}

export interface ChangeStreamHooks {
  /** Called after events were recorded (e.g. to wake the inbox processor). */
  onRecorded?: (count: number) => void;
  metrics?: CrmChangeStreamMetrics;
  capture?: ChangeCaptureMetrics;
}

interface StreamedEvent {
  replayId: number;
  id: string;
  committedAtMs: number;
  data: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The replay id and the de-duplication key of a delivered event; undefined when it has no replay id. */
export function streamedEvent(message: BayeuxMessage): StreamedEvent | undefined {
  const data = message.data;
  if (!isRecord(data) || !isRecord(data.event) || typeof data.event.replayId !== 'number') return undefined;
  const header = isRecord(data.payload) && isRecord(data.payload.ChangeEventHeader) ? data.payload.ChangeEventHeader : undefined;
  const replayId = data.event.replayId;
  const keyed = typeof header?.transactionKey === 'string' && typeof header.sequenceNumber === 'number';
  return {
    replayId,
    // The relay posts the same change under this id; an event without a header still gets a stable one.
    id: keyed ? `${String(header.transactionKey)}:${String(header.sequenceNumber)}`.slice(0, 200) : `replay:${replayId}`,
    committedAtMs: typeof header?.commitTimestamp === 'number' ? header.commitTimestamp : Date.now(),
    data,
  };
}

class Overtaken extends Error {}

export class CrmChangeStream {
  readonly stream: string;
  private hooks: ChangeStreamHooks = {};
  private stopping = true;
  private subscribed = false;
  private done?: Promise<void>;
  private wake?: () => void;
  /** After a replay reset the stored id means nothing: the next record may move the cursor to a lower id. */
  private rewind = false;

  constructor(private readonly opts: CrmChangeStreamOptions) {
    this.stream = `crm:${opts.channel}`;
  }

  /** Subscribed and polling. */
  get connected(): boolean {
    return this.subscribed;
  }

  start(hooks: ChangeStreamHooks = {}): void {
    if (!this.stopping) return;
    this.hooks = hooks;
    this.stopping = false;
    this.done = this.run();
  }

  /** Ends the session (which answers a held poll) and waits for the loop, at most `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wake?.();
    await this.opts.cometd.disconnect();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.done, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  private setConnected(connected: boolean): void {
    this.subscribed = connected;
    this.hooks.metrics?.connection(this.opts.channel, connected);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.session();
        failures = 0;
      } catch (err) {
        failures += 1;
        this.hooks.capture?.failed(this.stream);
        this.opts.logger?.warn(
          { stream: this.stream, err: err instanceof Error ? err.message : String(err), failures },
          'CRM change stream session failed; reconnecting',
        );
      }
      this.setConnected(false);
      if (failures > 0 && !this.stopping)
        await this.sleep(backoffMs(failures, this.opts.reconnect?.baseMs ?? 1_000, this.opts.reconnect?.capMs ?? 30_000));
    }
  }

  /** One Bayeux session: handshake, subscribe from the stored replay id, poll until the server forgets the client. */
  private async session(): Promise<void> {
    const { cometd, channel, store, logger } = this.opts;
    await cometd.handshake();
    if (this.stopping) return;
    const stored = await readCursor<StreamPosition>(store.db, this.stream);
    const from = stored?.position.replayId ?? -1;
    try {
      await cometd.subscribe(channel, from);
    } catch (err) {
      if (!(err instanceof BayeuxError && err.invalidReplayId && from >= 0)) throw err;
      this.hooks.metrics?.replayReset(channel);
      logger?.warn(
        { stream: this.stream, storedReplayId: from, error: err.error },
        'stored CRM replay id is outside the retention window; resubscribing with -2 (every retained event). ' +
          'Changes older than the window were not received: the catch-up poll finds them.',
      );
      await cometd.subscribe(channel, -2);
      this.rewind = true;
    }
    this.setConnected(true);
    while (!this.stopping) {
      let delivered: BayeuxMessage[];
      try {
        delivered = await cometd.connect();
      } catch (err) {
        if (err instanceof BayeuxError && err.unknownClient && !err.authentication) return; // handshake again
        throw err;
      }
      const events = delivered.filter((m) => m.channel === channel);
      if (events.length > 0) {
        this.hooks.metrics?.received(channel, events.length);
        const usable = events.flatMap((m) => streamedEvent(m) ?? []);
        if (usable.length < events.length) logger?.warn({ stream: this.stream }, 'CRM change event without a replay id ignored');
        const recorded = await this.record(usable);
        if (recorded > 0) this.hooks.onRecorded?.(recorded);
      }
      this.hooks.capture?.caughtUp(this.stream, Date.now());
    }
  }

  /** Records the events after the stored replay id and moves the cursor to the last one, in one transaction. */
  private async record(events: StreamedEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const recorded = await withTransaction(this.opts.store, async (trx) => {
          const stored = await readCursor<StreamPosition>(trx, this.stream);
          const floor = this.rewind ? -Infinity : (stored?.position.replayId ?? -Infinity);
          // Another replica may have recorded these already; the cursor never goes back.
          const fresh = events.filter((e) => e.replayId > floor);
          if (fresh.length === 0) return 0;
          const now = nowMs();
          let count = 0;
          for (const e of fresh) {
            const isNew = await recordInboxMessage(trx, {
              source: CRM_INBOX_SOURCE,
              messageId: e.id,
              sentAtSeconds: Math.floor(e.committedAtMs / 1000),
              body: JSON.stringify(e.data),
              now,
            });
            if (isNew) count += 1;
          }
          const last = fresh.at(-1)!;
          const moved = await moveCursor<StreamPosition>(trx, this.stream, {
            from: stored?.position,
            to: { replayId: last.replayId },
            recorded: count,
            lastChangeMs: Math.max(...fresh.map((e) => e.committedAtMs)),
            caughtUp: true,
            now,
          });
          if (!moved) throw new Overtaken();
          return count;
        });
        this.rewind = false;
        this.hooks.capture?.recorded(this.stream, recorded);
        return recorded;
      } catch (err) {
        if (!(err instanceof Overtaken) || attempt >= 3) throw err;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
