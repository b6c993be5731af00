// Change capture metrics: what each feed recorded, its failed polls, and how far behind it is
// (seconds since its last complete pass), kept in memory so a scrape reads no table; and each
// cursor's freshness as the shared store holds it (whichever replica polled), read on a schedule.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DbExecutor } from '../store/index.js';
import type { GaugeSampler } from '../observability/sampled-gauges.js';
import { listCursors } from './cursors.js';

export interface ChangeCaptureMetrics {
  recorded(stream: string, n: number): void;
  failed(stream: string): void;
  caughtUp(stream: string, atMs: number): void;
}

export function promChangeCaptureMetrics(registry: Registry, prefix = 'layer_change_capture'): ChangeCaptureMetrics {
  const caughtUpAt = new Map<string, number>();
  const recorded = new Counter({
    name: `${prefix}_changes_recorded_total`,
    help: 'Changes recorded into the inbox from a polled change feed (duplicates of webhooks excluded).',
    labelNames: ['stream'],
    registers: [registry],
  });
  const failed = new Counter({
    name: `${prefix}_poll_failures_total`,
    help: 'Polls of a change feed that failed; the next round retries from the stored cursor.',
    labelNames: ['stream'],
    registers: [registry],
  });
  new Gauge({
    name: `${prefix}_lag_seconds`,
    help: 'Seconds since this process last read a change feed to its end: changes older than that have been recorded.',
    labelNames: ['stream'],
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      for (const [stream, at] of caughtUpAt) this.set({ stream }, (now - at) / 1000);
    },
  });
  return {
    recorded: (stream, n) => {
      if (n > 0) recorded.inc({ stream }, n);
    },
    failed: (stream) => failed.inc({ stream }),
    caughtUp: (stream, atMs) => caughtUpAt.set(stream, atMs),
  };
}

/** A stream is named `<platform>:<what it reads>` (`crm:opportunities`): the platform is its prefix. */
export const platformOfStream = (stream: string): string => stream.split(':')[0] || stream;

/**
 * `layer_change_cursor_freshness_seconds{platform,cursor}`: seconds since the cursor's last complete
 * pass, from the store (one read of the few cursor rows per sampling round, none per scrape).
 * Unlike the lag gauge it is the same on every replica, polled by this one or another.
 */
export function sampleCursorFreshness(sampler: GaugeSampler, db: DbExecutor): void {
  sampler.add(
    'change-cursors',
    async () => (await listCursors(db)).map((c) => ({ stream: c.stream, caughtUpMs: c.caughtUpAt?.getTime() })),
    [
      {
        name: 'layer_change_cursor_freshness_seconds',
        help: 'Seconds since a change cursor last read its platform feed to the end (any replica): changes older than that are in the layer.',
        labelNames: ['platform', 'cursor'],
        set(gauge, cursors, now) {
          for (const c of cursors)
            if (c.caughtUpMs !== undefined)
              gauge.set({ platform: platformOfStream(c.stream), cursor: c.stream }, Math.max(0, (now - c.caughtUpMs) / 1000));
        },
      },
    ],
  );
}
