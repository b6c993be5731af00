// The org's event bus for Change Data Capture: every change event with its replay id, kept for
// the retention window (72 hours, as Salesforce keeps change events), and the subscribers that
// wait in a long poll for the next one.

/** One retained change event, as CometD delivers it in `data`. */
export interface RetainedEvent {
  replayId: number;
  /** The sObject the change is about: channels `/data/<entity>ChangeEvent` and `/data/ChangeEvents` carry it. */
  entityName: string;
  publishedAtMs: number;
  data: { schema: string; payload: Record<string, unknown>; event: { replayId: number } };
}

export const DEFAULT_RETENTION_MS = 72 * 3_600_000;
export const ALL_CHANGE_EVENTS = '/data/ChangeEvents';

/** The entity a channel carries, `*` for every one, or undefined when it is not a change event channel of this org. */
export function channelEntity(channel: string, entities: readonly string[]): string | undefined {
  if (channel === ALL_CHANGE_EVENTS) return '*';
  const m = /^\/data\/(\w+)ChangeEvent$/.exec(channel);
  return m && entities.includes(m[1]!) ? m[1] : undefined;
}

export class EventBus {
  private readonly events: RetainedEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private nextReplayId = 1;
  retentionMs = DEFAULT_RETENTION_MS;

  /** Appends an event under the next replay id and wakes every long poll. */
  publish(entityName: string, build: (replayId: number) => RetainedEvent['data'], now = Date.now()): RetainedEvent {
    const replayId = this.nextReplayId++;
    const event = { replayId, entityName, publishedAtMs: now, data: build(replayId) };
    this.events.push(event);
    this.prune(now);
    for (const wake of [...this.waiters]) wake();
    return event;
  }

  /** Drops what is past the retention window (also when the window is shortened). */
  prune(now = Date.now()): void {
    const cutoff = now - this.retentionMs;
    let drop = 0;
    while (drop < this.events.length && this.events[drop]!.publishedAtMs <= cutoff) drop++;
    if (drop > 0) this.events.splice(0, drop);
  }

  /** Whether `replayId` names an event still retained: only those can be replayed after. */
  retains(replayId: number, now = Date.now()): boolean {
    this.prune(now);
    return this.events.some((e) => e.replayId === replayId);
  }

  /** The replay id a `-2` subscriber starts after (just before the oldest retained event). */
  beforeOldest(now = Date.now()): number {
    this.prune(now);
    return (this.events[0]?.replayId ?? this.nextReplayId) - 1;
  }

  /** The newest replay id given out so far (where a `-1` subscriber starts). */
  latest(): number {
    return this.nextReplayId - 1;
  }

  /** Retained events after `replayId` that `entity` (`*` for all) carries, oldest first. */
  after(replayId: number, entity: string, now = Date.now()): RetainedEvent[] {
    this.prune(now);
    return this.events.filter((e) => e.replayId > replayId && (entity === '*' || e.entityName === entity));
  }

  /** What the admin API reports. */
  summary(now = Date.now()): { retained: number; oldestReplayId: number | null; latestReplayId: number; retentionSeconds: number } {
    this.prune(now);
    return {
      retained: this.events.length,
      oldestReplayId: this.events[0]?.replayId ?? null,
      latestReplayId: this.latest(),
      retentionSeconds: this.retentionMs / 1000,
    };
  }

  /** Resolves on the next publish or after `ms`, whichever comes first; `cancel` ends the wait early. */
  wait(ms: number): { done: Promise<void>; cancel(): void } {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => finish(), ms);
      finish = () => {
        clearTimeout(timer);
        this.waiters.delete(finish);
        resolve();
      };
      this.waiters.add(finish);
    });
    return { done, cancel: () => finish() };
  }
}
