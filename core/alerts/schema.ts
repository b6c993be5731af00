// Table type for the layer's own alerts: one row per alert that is pending or firing, so that a
// restart or another replica carries on where the last evaluation left off. Instants are epoch ms.

export interface AlertStatesTable {
  /** Hash of the alert's label set (alert-state.ts fingerprint()). */
  fingerprint: string;
  alertname: string;
  /** JSON object: the alert's labels, alertname included. */
  labels: string;
  /** JSON object: the annotations as last rendered. */
  annotations: string;
  state: 'pending' | 'firing';
  /** Null for NaN. */
  value: number | null;
  active_at_ms: number;
  fired_at_ms: number | null;
  updated_at_ms: number;
}

declare module '../store/schema.js' {
  interface Database {
    alert_states: AlertStatesTable;
  }
}
