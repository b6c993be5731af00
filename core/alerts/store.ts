// Keeps the active alerts in the store and turns each transition into a business event in the same
// transaction, so that an alert is announced firing once and resolved once, whichever replica
// evaluates and however often the layer restarts.
import type { Kysely, Transaction } from 'kysely';
import { emit } from '../events/index.js';
import { fromJson, toIso, toJson } from '../store/portable.js';
import type { Database } from '../store/schema.js';
import type { ActiveAlert, AlertTransition } from './alert-state.js';
import type { Labels } from './promql-eval.js';
import './schema.js';

export const ALERT_EVENT_SOURCE = '/layer/alerts';
export const ALERT_FIRING_EVENT = 'com.psconnect.layer.alert.firing';
export const ALERT_RESOLVED_EVENT = 'com.psconnect.layer.alert.resolved';
/** The pattern the receiver's subscription takes. */
export const ALERT_EVENT_PATTERN = 'com.psconnect.layer.alert.*';

/** The `data` of an alert event: Alertmanager's alert fields, so receivers built for it feel at home. */
export interface AlertEventData {
  alertname: string;
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Record<string, string>;
  /** The expression's value at the transition (null for NaN). */
  value: number | null;
  /** When it started firing (RFC 3339). */
  startsAt: string;
  /** When it was resolved; null while firing. */
  endsAt: string | null;
  fingerprint: string;
}

/** Another evaluation changed the same alert meanwhile; this one's writes are rolled back. */
export class AlertStateConflict extends Error {}

export async function loadActiveAlerts(db: Kysely<Database>): Promise<Map<string, ActiveAlert>> {
  const rows = await db.selectFrom('alert_states').selectAll().execute();
  return new Map(
    rows.map((r) => [
      r.fingerprint,
      {
        fingerprint: r.fingerprint,
        alertname: r.alertname,
        labels: fromJson<Labels>(r.labels) ?? {},
        annotations: fromJson<Record<string, string>>(r.annotations) ?? {},
        state: r.state,
        value: r.value ?? NaN,
        activeAtMs: Number(r.active_at_ms),
        ...(r.fired_at_ms !== null ? { firedAtMs: Number(r.fired_at_ms) } : {}),
      },
    ]),
  );
}

function eventData(t: AlertTransition): AlertEventData {
  const a = t.alert;
  return {
    alertname: a.alertname,
    status: t.to,
    labels: a.labels,
    annotations: a.annotations,
    value: Number.isFinite(a.value) ? a.value : null,
    startsAt: toIso(a.firedAtMs ?? a.activeAtMs),
    endsAt: t.endsAtMs !== undefined ? toIso(t.endsAtMs) : null,
    fingerprint: a.fingerprint,
  };
}

const storedValue = (v: number) => (Number.isNaN(v) ? null : v);

/**
 * Writes the outcome of one evaluation over the state it started from: rows added, changed and
 * removed only where they still are as `previous` says (else AlertStateConflict, and nothing is
 * written), and one event per transition.
 */
export async function saveEvaluation(
  trx: Transaction<Database>,
  previous: ReadonlyMap<string, ActiveAlert>,
  active: ReadonlyMap<string, ActiveAlert>,
  transitions: readonly AlertTransition[],
  nowMs: number,
): Promise<void> {
  for (const alert of active.values()) {
    const was = previous.get(alert.fingerprint);
    const row = {
      labels: toJson(alert.labels),
      annotations: toJson(alert.annotations),
      state: alert.state,
      value: storedValue(alert.value),
      fired_at_ms: alert.firedAtMs ?? null,
      updated_at_ms: nowMs,
    };
    if (!was) {
      await trx
        .insertInto('alert_states')
        .values({ fingerprint: alert.fingerprint, alertname: alert.alertname, active_at_ms: alert.activeAtMs, ...row })
        .execute();
      continue;
    }
    const updated = await trx
      .updateTable('alert_states')
      .set(row)
      .where('fingerprint', '=', alert.fingerprint)
      .where('state', '=', was.state)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw new AlertStateConflict(`alert ${alert.alertname} ${alert.fingerprint} changed meanwhile`);
  }
  for (const was of previous.values()) {
    if (active.has(was.fingerprint)) continue;
    const deleted = await trx
      .deleteFrom('alert_states')
      .where('fingerprint', '=', was.fingerprint)
      .where('state', '=', was.state)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) !== 1) throw new AlertStateConflict(`alert ${was.alertname} ${was.fingerprint} changed meanwhile`);
  }
  for (const t of transitions) {
    await emit(trx, {
      type: t.to === 'firing' ? ALERT_FIRING_EVENT : ALERT_RESOLVED_EVENT,
      source: ALERT_EVENT_SOURCE,
      subject: t.alert.alertname,
      time: new Date(t.endsAtMs ?? t.alert.firedAtMs ?? nowMs),
      data: eventData(t),
    });
  }
}
