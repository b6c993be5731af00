// Reading the active alerts on a real store: firing before pending, oldest first, every alert once
// across pages of any size, its annotations and labels as the evaluation rendered them.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import type { Store } from '../store/index.js';
import { evaluateRules, type ActiveAlert } from './alert-state.js';
import { listAlerts, type AlertRecord } from './read.js';
import { parseRuleFile } from './rules.js';
import { SampleRing } from './sample-ring.js';
import { saveEvaluation } from './store.js';

const rules = parseRuleFile(`
groups:
  - name: g
    rules:
      - alert: QueueStuck
        expr: layer_test_queue_depth > 0
        for: 30s
        labels: { severity: warning }
        annotations:
          summary: "{{ $labels.queue }} holds {{ $value }}"
          description: "Work waits in {{ $labels.queue }}."
          runbook_url: docs/runbooks/QueueStuck.md
      - alert: QueueFull
        expr: layer_test_queue_depth > 100
`);

describe.each(testEngines())('the active alerts as read on $name', (engine) => {
  let store: Store;
  beforeEach(async () => {
    store = await migratedStore(engine);
  });
  afterEach(() => store.close());
  afterAll(() => engine.cleanup());

  /** Evaluates the rules at each instant over the queue depths given, saving each evaluation as the evaluator does. */
  async function evaluate(rounds: Array<[atMs: number, depths: Record<string, number>]>) {
    const ring = new SampleRing([]);
    let active = new Map<string, ActiveAlert>();
    for (const [atMs, depths] of rounds) {
      ring.add(
        atMs,
        Object.entries(depths).map(([queue, value]) => ({ labels: { __name__: 'layer_test_queue_depth', queue }, value })),
      );
      const result = evaluateRules(rules, ring, atMs, active);
      const previous = active;
      await store.db.transaction().execute((trx) => saveEvaluation(trx, previous, result.active, result.transitions, atMs));
      active = result.active;
    }
  }

  const t0 = 1_800_000_000_000;
  const brief = (a: AlertRecord) => `${a.state} ${a.alertname} ${a.labels.queue}`;

  it('lists firing alerts before pending ones, with what the rule rendered', async () => {
    // Queue a is stuck from t0 and over 100 at once; queue b is stuck from t0 + 10 s; at t0 + 30 s only a's stuck alert has held 30 s.
    await evaluate([
      [t0, { a: 200 }],
      [t0 + 10_000, { a: 200, b: 5 }],
      [t0 + 30_000, { a: 200, b: 5 }],
    ]);
    const { items, nextCursor } = await listAlerts(store.db);
    expect(nextCursor, 'one page holds them all').toBeNull();
    expect(items.map(brief).slice(2), 'the pending alert last').toEqual(['pending QueueStuck b']);
    expect(items.map(brief).slice(0, 2).sort(), 'the firing alerts first').toEqual(['firing QueueFull a', 'firing QueueStuck a']);
    const stuck = items.find((a) => a.alertname === 'QueueStuck' && a.state === 'firing');
    expect(stuck, 'the firing stuck alert as rendered').toEqual({
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      alertname: 'QueueStuck',
      severity: 'warning',
      state: 'firing',
      activeAt: new Date(t0).toISOString(),
      firedAt: new Date(t0 + 30_000).toISOString(),
      value: 200,
      summary: 'a holds 200',
      description: 'Work waits in a.',
      runbookUrl: 'docs/runbooks/QueueStuck.md',
      labels: { alertname: 'QueueStuck', queue: 'a', severity: 'warning' },
      lastEvaluatedAt: new Date(t0 + 30_000).toISOString(),
    });
    const full = items.find((a) => a.alertname === 'QueueFull');
    expect(full, 'a rule without severity, summary or runbook says so with nulls').toMatchObject({
      severity: null,
      summary: null,
      description: null,
      runbookUrl: null,
      firedAt: new Date(t0).toISOString(),
    });
  });

  it('pages through every alert once, in the same order as one page', async () => {
    await evaluate([
      [t0, { a: 1, b: 2, c: 300 }],
      [t0 + 10_000, { a: 1, b: 2, c: 300, d: 4, e: 5 }],
      [t0 + 30_000, { a: 1, b: 2, c: 300, d: 4, e: 5 }],
    ]);
    const whole = (await listAlerts(store.db, { limit: 200 })).items.map((a) => a.fingerprint);
    expect(whole.length, 'five stuck queues and one full one').toBe(6);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listAlerts(store.db, { limit: 2, cursor });
      expect(page.items.length, 'a full page until the last').toBeLessThanOrEqual(2);
      paged.push(...page.items.map((a) => a.fingerprint));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged, 'pages of two: each alert once, in order').toEqual(whole);
  });

  it('refuses a cursor it did not issue and a page size out of range, as 400 problems', async () => {
    await expect(listAlerts(store.db, { cursor: 'not-a-cursor' }), 'a forged cursor').rejects.toMatchObject({ status: 400 });
    await expect(listAlerts(store.db, { limit: 0 }), 'limit 0').rejects.toMatchObject({ status: 400 });
    await expect(listAlerts(store.db, { limit: 201 }), 'limit 201').rejects.toMatchObject({ status: 400 });
  });
});
