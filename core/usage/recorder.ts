// Counts calls per consumer, operation, contract version and day in memory and adds them to
// the store every flush interval, so recording costs a map update per request; old days are
// pruned after the retention period.
import { sql } from 'kysely';
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/index.js';
import './schema.js';

export interface UsageCall {
  consumer: string;
  /** {layer}/{api}/v{major} */
  contract: string;
  version: string;
  operation: string;
  deprecated: boolean;
  status: number;
  at?: number;
}

export interface UsageRecorder {
  record(call: UsageCall): void;
  /** Writes what is buffered; resolves when it is in the store. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  stop(): Promise<void>;
}

export interface UsageOptions {
  flushIntervalMs: number;
  retentionDays: number;
  logger?: Logger;
}

interface Pending {
  day: string;
  call: UsageCall;
  calls: number;
  errors: number;
  lastAt: number;
}

const DAY_MS = 86_400_000;

export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export function createUsageRecorder(store: Store, options: UsageOptions): UsageRecorder {
  let pending = new Map<string, Pending>();
  let writing: Promise<void> = Promise.resolve();
  let lastPrune = 0;

  const write = async (batch: Map<string, Pending>) => {
    for (const p of batch.values()) {
      await store.db
        .insertInto('api_usage')
        .values({
          day: p.day,
          consumer: p.call.consumer,
          contract: p.call.contract,
          version: p.call.version,
          operation: p.call.operation,
          deprecated: p.call.deprecated ? 1 : 0,
          calls: p.calls,
          errors: p.errors,
          last_at: p.lastAt,
        })
        .onConflict((oc) =>
          oc.columns(['day', 'consumer', 'contract', 'operation', 'version']).doUpdateSet({
            calls: sql`api_usage.calls + excluded.calls`,
            errors: sql`api_usage.errors + excluded.errors`,
            last_at: sql`excluded.last_at`,
            deprecated: sql`excluded.deprecated`,
          }),
        )
        .execute();
    }
    const now = Date.now();
    if (now - lastPrune > DAY_MS / 24) {
      lastPrune = now;
      await store.db
        .deleteFrom('api_usage')
        .where('day', '<', utcDay(now - options.retentionDays * DAY_MS))
        .execute();
    }
  };

  const flush = () => {
    const batch = pending;
    pending = new Map();
    // One write at a time, in order; a failed batch is logged and its counts lost, never retried into a double count.
    writing = writing.then(() =>
      write(batch).catch((err: unknown) => options.logger?.warn({ err: String(err), rows: batch.size }, 'could not record API usage')),
    );
    return writing;
  };

  const timer = setInterval(() => void flush(), options.flushIntervalMs);
  timer.unref();

  return {
    record(call) {
      const at = call.at ?? Date.now();
      const day = utcDay(at);
      const key = [day, call.consumer, call.contract, call.operation, call.version].join('\u0000');
      const entry = pending.get(key) ?? { day, call, calls: 0, errors: 0, lastAt: at };
      entry.calls += 1;
      if (call.status >= 400) entry.errors += 1;
      entry.lastAt = Math.max(entry.lastAt, at);
      entry.call = call;
      pending.set(key, entry);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
