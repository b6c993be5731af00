// Metrics of the CRM change stream: events received, replay-id resets (a stored id outside the
// retention window) and whether the subscription is up. Lag is the change-capture metrics' job.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface CrmChangeStreamMetrics {
  received(channel: string, n: number): void;
  replayReset(channel: string): void;
  connection(channel: string, connected: boolean): void;
}

export function promCrmChangeStreamMetrics(registry: Registry, prefix = 'layer_crm_change_stream'): CrmChangeStreamMetrics {
  const received = new Counter({
    name: `${prefix}_events_received_total`,
    help: 'Change events the CRM delivered on the Streaming API subscription (before de-duplication).',
    labelNames: ['channel'],
    registers: [registry],
  });
  const resets = new Counter({
    name: `${prefix}_replay_resets_total`,
    help: 'Subscriptions whose stored replay id the CRM refused (outside its retention window) and that resubscribed with -2.',
    labelNames: ['channel'],
    registers: [registry],
  });
  const connected = new Gauge({
    name: `${prefix}_connected`,
    help: '1 while the CRM change stream is subscribed and polling, 0 while it reconnects or is stopped.',
    labelNames: ['channel'],
    registers: [registry],
  });
  return {
    received: (channel, n) => received.inc({ channel }, n),
    replayReset: (channel) => resets.inc({ channel }),
    connection: (channel, up) => connected.set({ channel }, up ? 1 : 0),
  };
}
