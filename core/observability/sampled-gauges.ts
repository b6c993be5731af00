// Gauges read from the store on a schedule instead of on scrape: each figure's reader runs every
// `everyMs` (and once at start), its last reading stays in memory, and a scrape only copies it
// into the gauges. Ages are computed at collect time from the instants read, so they keep growing
// between readings, and a figure that could not be read keeps its last reading (logged).
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from './logger.js';
import { PollLoop } from '../resilience/poll-loop.js';

/** One gauge set from a reading: `set` is handed the gauge (reset) and the moment of the scrape. */
export interface SampledGauge<T, L extends string = string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  set(gauge: Gauge<L>, reading: T, nowMs: number): void;
}

export interface GaugeSampler {
  /** Registers a reader and the gauges it feeds; `figures` names it in logs and in the sample timestamp gauge. */
  add<T>(figures: string, read: () => Promise<T>, gauges: ReadonlyArray<SampledGauge<T, string>>): void;
  /** Reads every figure now (tests, and the first round of start). */
  refresh(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function gaugeSampler(registry: Registry, options: { everyMs: number; logger?: Pick<Logger, 'warn'> }): GaugeSampler {
  const readers: Array<{ figures: string; read: () => Promise<void> }> = [];
  const sampledAt = new Map<string, number>();
  new Gauge({
    name: 'layer_metrics_sampled_timestamp_seconds',
    help: 'When each group of scheduled figures was last read from the store (Unix seconds); stale means their gauges are.',
    labelNames: ['figures'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [figures, at] of sampledAt) this.set({ figures }, at / 1000);
    },
  });
  const refresh = async () => {
    await Promise.all(
      readers.map(({ figures, read }) =>
        read().then(
          () => void sampledAt.set(figures, Date.now()),
          (err: unknown) =>
            options.logger?.warn({ figures, err: String(err) }, 'scheduled metrics could not be read; the last reading stays'),
        ),
      ),
    );
  };
  const loop = new PollLoop(
    async () => {
      await refresh();
      return 0;
    },
    options.everyMs,
    () => undefined,
  );
  return {
    add<T>(figures: string, read: () => Promise<T>, gauges: ReadonlyArray<SampledGauge<T, string>>) {
      let last: T | undefined;
      let known = false;
      readers.push({
        figures,
        read: async () => {
          last = await read();
          known = true;
        },
      });
      for (const spec of gauges) {
        new Gauge({
          name: spec.name,
          help: spec.help,
          labelNames: spec.labelNames,
          registers: [registry],
          collect() {
            this.reset();
            if (known) spec.set(this, last as T, Date.now());
          },
        });
      }
    },
    refresh,
    start: () => loop.start(),
    stop: () => loop.stop(),
  };
}
