// The layer's own alerting, as metrics: what fires now (from the store, so every replica says the
// same), transitions announced, and rules or rounds that could not be evaluated.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ActiveAlert } from './alert-state.js';

export interface AlertMetrics {
  /** The active alerts as stored after the last round. */
  show(active: Iterable<ActiveAlert>): void;
  transition(alertname: string, to: 'firing' | 'resolved'): void;
  /** `rule` empty: the whole round failed (registry or store). */
  failure(rule: string): void;
}

export const noopAlertMetrics: AlertMetrics = { show: () => {}, transition: () => {}, failure: () => {} };

export function promAlertMetrics(registry: Registry): AlertMetrics {
  const firing = new Gauge({
    name: 'layer_alerts_firing',
    help: 'Alerts of deploy/prometheus/alerts.yml that the layer itself has firing, by alert and severity',
    labelNames: ['alertname', 'severity'],
    registers: [registry],
  });
  const transitions = new Counter({
    name: 'layer_alert_transitions_total',
    help: 'Alert transitions the layer announced to its alert receiver (firing, resolved)',
    labelNames: ['alertname', 'to'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'layer_alert_evaluation_failures_total',
    help: 'Alert rules (rule) or whole evaluation rounds (rule="") the layer could not evaluate',
    labelNames: ['rule'],
    registers: [registry],
  });
  return {
    show(active) {
      firing.reset();
      for (const a of active) if (a.state === 'firing') firing.inc({ alertname: a.alertname, severity: a.labels.severity ?? '' });
    },
    transition: (alertname, to) => transitions.inc({ alertname, to }),
    failure: (rule) => failures.inc({ rule }),
  };
}
