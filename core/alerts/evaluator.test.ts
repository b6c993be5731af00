// The evaluator on a real store: two replicas on one store evaluate one period once between them,
// an alert's firing and resolution are written to the outbox once each, and a transition that
// another evaluation already wrote is rolled back rather than announced twice.
import { Gauge, Registry } from 'prom-client';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import type { Store } from '../store/index.js';
import { evaluateRules } from './alert-state.js';
import { AlertEvaluator } from './evaluator.js';
import { parseRuleFile } from './rules.js';
import { SampleRing } from './sample-ring.js';
import { ALERT_FIRING_EVENT, ALERT_RESOLVED_EVENT, AlertStateConflict, loadActiveAlerts, saveEvaluation } from './store.js';

const rules = parseRuleFile(`
groups:
  - name: g
    rules:
      - alert: QueueStuck
        expr: max(layer_test_queue_depth) > 0
        for: 30s
        labels: { severity: warning }
        annotations: { summary: "{{ $value }} waiting" }
`);

function replica(store: Store, name: string) {
  const registry = new Registry();
  const depth = new Gauge({ name: 'layer_test_queue_depth', help: 'test', registers: [registry] });
  const evaluator = new AlertEvaluator({ store, registry, rules, everyMs: 10_000, logger: pino({ level: 'silent' }), workerId: name });
  return { depth, evaluator };
}

describe.each(testEngines())('alert evaluation on $name', (engine) => {
  let store: Store;
  beforeEach(async () => {
    store = await migratedStore(engine);
  });
  afterEach(() => store.close());
  afterAll(() => engine.cleanup());

  const outbox = async () => (await store.db.selectFrom('event_outbox').select('type').orderBy('seq').execute()).map((r) => r.type);

  it('evaluates each period on one replica only, and announces firing and resolution once each', async () => {
    const a = replica(store, 'replica-a');
    const b = replica(store, 'replica-b');
    const t0 = 1_800_000_000_000;
    a.depth.set(3);
    b.depth.set(3);
    // Both replicas wake in every period (twice, as their loops do); one of them evaluates it.
    const evaluatedBy: string[] = [];
    for (let period = 0; period < 8; period++) {
      for (const half of [0, 5_000]) {
        const now = t0 + period * 10_000 + half;
        if (period === 6 && half === 0) {
          a.depth.set(0);
          b.depth.set(0);
        }
        const [ranA, ranB] = await Promise.all([a.evaluator.round(now), b.evaluator.round(now)]);
        if (ranA) evaluatedBy.push(`${period}a`);
        if (ranB) evaluatedBy.push(`${period}b`);
      }
    }
    expect(evaluatedBy.length, 'one evaluation per period, across both replicas').toBe(8);
    expect(new Set(evaluatedBy.map((e) => e.slice(0, -1))).size, 'every period evaluated').toBe(8);
    expect(await outbox(), 'pending at 0, firing once `for` held, resolved once after the queue emptied').toEqual([
      ALERT_FIRING_EVENT,
      ALERT_RESOLVED_EVENT,
    ]);
    expect((await loadActiveAlerts(store.db)).size, 'nothing left active').toBe(0);
  });

  it('rolls back an evaluation whose starting state another evaluation changed meanwhile', async () => {
    const ring = new SampleRing([]);
    ring.add(0, [{ labels: { __name__: 'layer_test_queue_depth' }, value: 2 }]);
    const pending = evaluateRules(rules, ring, 0, new Map());
    await store.db.transaction().execute((trx) => saveEvaluation(trx, new Map(), pending.active, pending.transitions, 0));
    ring.add(30_000, [{ labels: { __name__: 'layer_test_queue_depth' }, value: 2 }]);
    const firing = evaluateRules(rules, ring, 30_000, pending.active);
    expect(
      firing.transitions.map((t) => t.to),
      'the second evaluation fires it',
    ).toEqual(['firing']);
    await store.db.transaction().execute((trx) => saveEvaluation(trx, pending.active, firing.active, firing.transitions, 30_000));
    // A slower replica evaluated from the same pending state and comes second: it must not announce it again.
    await expect(
      store.db.transaction().execute((trx) => saveEvaluation(trx, pending.active, firing.active, firing.transitions, 30_000)),
    ).rejects.toBeInstanceOf(AlertStateConflict);
    expect(await outbox(), 'one firing event').toEqual([ALERT_FIRING_EVENT]);
  });
});
