// EventMetrics backed by prom-client counters, for the gateway's /metrics registry.
// The subscriber label is bounded by the registered subscribers and webhook subscriptions.
import { Counter, type Registry } from 'prom-client';
import type { EventMetrics } from './metrics.js';

export function promEventMetrics(registry: Registry, prefix = 'layer_events'): EventMetrics {
  const counter = (name: string, help: string) =>
    new Counter({ name: `${prefix}_${name}_total`, help, labelNames: ['subscriber'], registers: [registry] });
  const delivered = counter('delivered', 'Event deliveries acknowledged by a subscriber.');
  const failed = counter('failed', 'Event delivery attempts that failed and will be retried.');
  const dead = counter('dead', 'Event deliveries given up after the last attempt (or a 410).');
  return {
    delivered: (subscriber, n) => delivered.inc({ subscriber }, n),
    failed: (subscriber, n) => failed.inc({ subscriber }, n),
    dead: (subscriber, n) => dead.inc({ subscriber }, n),
  };
}
