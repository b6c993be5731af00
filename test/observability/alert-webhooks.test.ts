// The layer's own alerts end to end: a gateway evaluating alerts.yml (each `for` cut short) sends a
// signed webhook to a local receiver when a provisioning run fails, says nothing more while it stays
// failed (across a restart too), and sends one resolution once an operator retries the run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_FIRING_EVENT, ALERT_RESOLVED_EVENT, ALERTS_JOB, type AlertEventData } from '../../core/alerts/index.js';
import { EventDispatcher, generateWebhookSecret, verifyWebhook, type EventEnvelope } from '../../core/events/index.js';
import type { Store } from '../../core/store/index.js';
import { startGateway } from '../gateway/support.js';
import { fastenedRules } from '../support/fastened-alert-rules.js';
import { opsCaller, startOperationsGateway, type OpsHarness } from '../support/operations-gateway.js';
import { migratedStore, testEngines } from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../support/webhook-receiver.js';

/** The Standard Webhooks check a receiver makes: null when one of `secrets` signed the request. */
const verify = (r: ReceivedWebhook, secrets: string[]) =>
  verifyWebhook(
    secrets,
    {
      id: r.headers['webhook-id'] as string,
      timestamp: r.headers['webhook-timestamp'] as string,
      signature: r.headers['webhook-signature'] as string,
    },
    r.body,
  );

describe.each(testEngines())('the layer sends its own alerts as signed webhooks on $name', (engine) => {
  const dir = mkdtempSync(join(tmpdir(), 'ps-alert-webhooks-'));
  const secret = generateWebhookSecret();
  let store: Store;
  let receiver: WebhookReceiver;
  let ops: OpsHarness;
  let dispatcher: EventDispatcher;
  let env: Record<string, string>;

  const events = (type: string, alertname: string) =>
    receiver.received
      .map((r) => ({ ...r, event: JSON.parse(r.body.toString('utf8')) as EventEnvelope<AlertEventData> }))
      .filter((r) => r.event.type === type && r.event.data?.alertname === alertname);
  /** The last evaluation period claimed, in periods (claims older than 100 periods are deleted, so not a count). */
  const evaluations = async () =>
    Math.max(
      0,
      ...(await store.db.selectFrom('schedule_claims').select('period_start_ms').where('job', '=', ALERTS_JOB).execute()).map(
        (c) => Number(c.period_start_ms) / 100,
      ),
    );

  beforeAll(async () => {
    store = await migratedStore(engine);
    receiver = await startWebhookReceiver([], '/alerts');
    env = {
      ALERT_WEBHOOK_URL: receiver.url,
      ALERT_WEBHOOK_SECRET: secret,
      ALERTS_EVALUATE_EVERY_MS: '100',
      ALERT_RULES_FILE: fastenedRules(dir),
    };
    ops = await startOperationsGateway(store, env);
    // The harness runs no journeys, and so no dispatcher: this one delivers the outbox as the layer's would.
    dispatcher = new EventDispatcher({ store, allowPrivateUrls: true, pollMs: 20 });
    dispatcher.start();
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await ops?.close();
    await receiver?.close();
    await store?.close();
    await engine.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends one signed firing webhook when a provisioning run fails, none while it stays failed, and one resolution', async () => {
    expect(events(ALERT_FIRING_EVENT, 'ProvisioningFailed'), 'nothing fires before the fault').toEqual([]);
    await ops.failedRun('0190a3c2-7d4e-7b61-9a2f-000000000301');
    const [firing] = await waitFor(() => Promise.resolve(events(ALERT_FIRING_EVENT, 'ProvisioningFailed')), {
      until: (e) => e.length > 0,
      what: 'the ProvisioningFailed firing webhook',
    });
    expect(verify(firing!, [secret]), 'the signature verifies with the shared secret').toBeNull();
    expect(verify(firing!, [generateWebhookSecret()]), 'and not with another secret').toBe('bad-signature');
    expect(firing!.headers['content-type'], 'CloudEvents structured mode').toBe('application/cloudevents+json');
    expect(firing!.event, 'the CloudEvent').toMatchObject({
      specversion: '1.0',
      id: firing!.headers['webhook-id'],
      source: '/layer/alerts',
      type: ALERT_FIRING_EVENT,
      data: {
        alertname: 'ProvisioningFailed',
        status: 'firing',
        labels: { alertname: 'ProvisioningFailed', severity: 'critical' },
        annotations: { summary: '1 won deal(s) failed to become an ERP project', runbook_url: 'docs/runbooks/ProvisioningFailed.md' },
        value: 1,
        endsAt: null,
      },
    });
    expect(Date.parse(firing!.event.data!.startsAt), 'startsAt is an instant').not.toBeNaN();

    // It stays failed through more evaluations and a restart on the same store: no second webhook.
    const before = await evaluations();
    await ops.close();
    ops = await startOperationsGateway(store, env);
    await waitFor(evaluations, { until: (n) => n >= before + 5, what: 'five evaluation periods after the restart' });
    expect(events(ALERT_FIRING_EVENT, 'ProvisioningFailed').length, 'one firing webhook for one failure').toBe(1);

    // An operator retries the run once the platform is fixed: the alert resolves, once.
    ops.platform.fixed = true;
    const runId = (await store.db.selectFrom('workflow_runs').select('id').where('state', '=', 'failed').executeTakeFirstOrThrow()).id;
    const retried = await opsCaller(() => ops)('POST', `/runs/${runId}/retry`, {
      headers: { 'Idempotency-Key': `"${crypto.randomUUID()}"` },
    });
    expect(retried.status, 'the retry is accepted').toBe(202);
    await ops.settle();
    const [resolved] = await waitFor(() => Promise.resolve(events(ALERT_RESOLVED_EVENT, 'ProvisioningFailed')), {
      until: (e) => e.length > 0,
      what: 'the ProvisioningFailed resolved webhook',
    });
    const after = await evaluations();
    await waitFor(evaluations, { until: (n) => n >= after + 3, what: 'three evaluation periods after the resolution' });
    expect(events(ALERT_RESOLVED_EVENT, 'ProvisioningFailed').length, 'one resolved webhook').toBe(1);
    expect(resolved!.event.data, 'the same alert, now with an end').toMatchObject({
      status: 'resolved',
      fingerprint: firing!.event.data!.fingerprint,
      startsAt: firing!.event.data!.startsAt,
    });
    expect(Date.parse(resolved!.event.data!.endsAt!), 'endsAt after startsAt').toBeGreaterThan(Date.parse(firing!.event.data!.startsAt));
    expect(verify(resolved!, [secret]), 'the resolution is signed too').toBeNull();
    expect(events(ALERT_FIRING_EVENT, 'ProvisioningFailed').length, 'still one firing webhook').toBe(1);
  });

  it('shows the layer-evaluated alerts and their transitions as metrics', async () => {
    const text = await ops.gateway.metrics.registry.metrics();
    expect(text, 'the transitions counter').toMatch(/layer_alert_transitions_total\{alertname="DeadLettersOpen",to="resolved"\} 1/);
    expect(text, 'no rule failed').not.toMatch(/layer_alert_evaluation_failures_total\{[^}]*\} [1-9]/);
    // Figures the harness never computes fire (BusinessFiguresStale …); the failure is no longer among them.
    expect(text, 'ProvisioningFailed no longer fires').not.toMatch(/layer_alerts_firing\{alertname="ProvisioningFailed"/);
    expect(text, 'what fires is shown by alert and severity').toMatch(
      /layer_alerts_firing\{alertname="BillableUtilisationLow",severity="info"\} 1/,
    );
  });
});

describe('a layer whose alerts cannot be sent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ps-alert-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const secret = generateWebhookSecret();

  it('does not start, naming the variable, for a rule outside what the layer evaluates or a private receiver', async () => {
    const rules = join(dir, 'alerts.yml');
    writeFileSync(rules, 'groups:\n  - name: g\n    rules:\n      - alert: Absent\n        expr: absent(layer_x)\n');
    const withRules = { ALERT_WEBHOOK_URL: 'https://93.184.216.34/alerts', ALERT_WEBHOOK_SECRET: secret, ALERT_RULES_FILE: rules };
    await expect(startGateway(undefined, withRules), 'an unsupported function').rejects.toThrow(
      /^Invalid configuration: ALERT_RULES_FILE cannot be evaluated by the layer: .*rule Absent: function or aggregation absent\(\) is not supported/,
    );
    await expect(
      startGateway(undefined, { ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/alerts', ALERT_WEBHOOK_SECRET: secret }),
      'a loopback receiver without WEBHOOK_ALLOW_PRIVATE_URLS',
    ).rejects.toThrow(/^Invalid configuration: ALERT_WEBHOOK_URL is refused: /);
  });
});
