// Change capture metrics: what each feed recorded, its failed polls, and how far behind it is
// (seconds since its last complete pass), kept in memory so a scrape reads no table.
import { Counter, Gauge, type Registry } from 'prom-client';

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
