// GET /alerts through the real gateway on each store engine: the alerts the layer's own evaluation
// raised, firing before pending, with severity, since, summary and runbook; an empty list that says
// the layer does not evaluate alerts when ALERT_WEBHOOK_URL is unset; a token and ops:read needed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateRules, type ActiveAlert } from '../../core/alerts/alert-state.js';
import { generateWebhookSecret } from '../../core/events/index.js';
import { parseRuleFile } from '../../core/alerts/rules.js';
import { SampleRing } from '../../core/alerts/sample-ring.js';
import { saveEvaluation } from '../../core/alerts/store.js';
import type { Store } from '../../core/store/index.js';
import { fastenedRules } from '../../test/support/fastened-alert-rules.js';
import { opsCaller, startOperationsGateway, type OpsHarness } from '../../test/support/operations-gateway.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { waitFor } from '../../test/support/wait-for.js';
import type { LayerAlert, LayerAlertPage } from './types.js';

describe.each(testEngines())('GET /alerts on $name', (engine) => {
  const dir = mkdtempSync(join(tmpdir(), 'ps-ops-alerts-'));
  let store: Store | undefined;
  let ops: OpsHarness | undefined;
  const call = opsCaller(() => ops!);

  afterAll(async () => {
    await engine.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  async function stop() {
    await ops?.close();
    await store?.close();
    ops = undefined;
    store = undefined;
  }

  it('says the layer does not evaluate alerts when ALERT_WEBHOOK_URL is unset, and needs ops:read', async () => {
    store = await migratedStore(engine);
    // A row left from a time the layer evaluated alerts: nothing updates it now, so it is not shown.
    const rule = parseRuleFile('groups:\n  - name: g\n    rules:\n      - alert: Left\n        expr: layer_test_left > 0\n');
    const ring = new SampleRing([]);
    ring.add(0, [{ labels: { __name__: 'layer_test_left' }, value: 1 }]);
    const left = evaluateRules(rule, ring, 0, new Map<string, ActiveAlert>());
    await store.db.transaction().execute((trx) => saveEvaluation(trx, new Map(), left.active, left.transitions, 0));
    ops = await startOperationsGateway(store);
    try {
      const off = await call('GET', '/alerts', { token: ops.tokens.read });
      expect(off.status, 'ops:read may look').toBe(200);
      expect(off.body as LayerAlertPage, 'not evaluated here, so no list').toEqual({
        evaluatedByLayer: false,
        items: [],
        nextCursor: null,
      });
      // Bad input is refused as when the layer evaluates: the empty list does not hide it.
      expect((await call('GET', '/alerts?cursor=bm90LWEtY3Vyc29y', { token: ops.tokens.read })).status, 'a forged cursor').toBe(400);
      expect((await call('GET', '/alerts?limit=0', { token: ops.tokens.read })).status, 'a limit below 1').toBe(400);
      const anonymous = await call('GET', '/alerts', { token: '' });
      expect(anonymous.status, 'no token').toBe(401);
      expect(anonymous.headers.get('content-type'), 'a problem').toMatch(/^application\/problem\+json/);
      const other = await call('GET', '/alerts', { token: ops.tokens.other });
      expect(other.status, 'a token without ops:read').toBe(403);
      expect(other.body.status, 'the problem says 403').toBe(403);
    } finally {
      await stop();
    }
  });

  it("lists the layer's firing alerts before pending ones, with severity, since, summary and runbook", async () => {
    store = await migratedStore(engine);
    ops = await startOperationsGateway(store, {
      ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/alerts',
      ALERT_WEBHOOK_SECRET: generateWebhookSecret(),
      ALERTS_EVALUATE_EVERY_MS: '100',
      ALERT_RULES_FILE: fastenedRules(dir),
    });
    try {
      await ops.failedRun('0190a3c2-7d4e-7b61-9a2f-000000000401');
      const page = await waitFor(async () => (await call('GET', '/alerts?limit=200', { token: ops!.tokens.read })).body as LayerAlertPage, {
        until: (p) => p.items?.some((a) => a.alertname === 'ProvisioningFailed' && a.state === 'firing'),
        what: 'ProvisioningFailed firing in GET /alerts',
      });
      expect(page.evaluatedByLayer, 'the layer evaluates alerts').toBe(true);
      const failed = page.items.find((a) => a.alertname === 'ProvisioningFailed') as LayerAlert;
      expect(failed, 'the failed provisioning as the rule renders it').toMatchObject({
        severity: 'critical',
        state: 'firing',
        value: 1,
        summary: '1 won deal(s) failed to become an ERP project',
        runbookUrl: 'docs/runbooks/ProvisioningFailed.md',
        labels: { alertname: 'ProvisioningFailed', severity: 'critical' },
      });
      expect(Date.parse(failed.firedAt!), 'fired at or after it became active').toBeGreaterThanOrEqual(Date.parse(failed.activeAt));
      const states = page.items.map((a) => a.state);
      expect(states.slice(states.lastIndexOf('firing') + 1), 'every firing alert before any pending one').not.toContain('firing');

      const first = await call('GET', '/alerts?limit=1', { token: ops.tokens.read });
      expect(first.body.items.length, 'a page of one').toBe(1);
      expect(first.body.nextCursor, 'more than one alert fires in this harness (figures it never computes)').toEqual(expect.any(String));
      const next = await call('GET', `/alerts?limit=1&cursor=${first.body.nextCursor}`, { token: ops.tokens.read });
      expect(next.status, 'its cursor is accepted').toBe(200);
      const forged = await call('GET', '/alerts?cursor=bm90LWEtY3Vyc29y', { token: ops.tokens.read });
      expect(forged.status, 'a cursor the layer did not issue').toBe(400);
      expect(forged.headers.get('content-type'), 'as a problem').toMatch(/^application\/problem\+json/);
    } finally {
      await stop();
    }
  });
});
