// Three replicas of the layer behind HAProxy on one PostgreSQL and one Redis, started as
// `npm run cluster` starts them. Shared rate limits, one run per webhook whichever replicas it
// reaches, one scheduled billing per period, runs a SIGKILLed replica left half done finished
// once by the survivors (counted on the platforms' own APIs), and a SIGTERM that loses nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECONCILE_JOB } from '../../process-apis/index.js';
import { previousMonth } from '../../process-apis/time-to-billing/period.js';
import { findHaproxy } from '../../scripts/cluster/haproxy.js';
import { logAndApproveTime, winDeal } from '../../scripts/demo/people.js';
import { germanRateCardDays } from '../../scripts/demo/story.js';
import { callJson, idempotencyKey } from '../journeys/support/http.js';
import { redisUrl, testEngines } from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';
import { startClusterHarness, type ClusterHarness } from './support/cluster-harness.js';
import { drainUnderLoad } from './support/drain.js';
import { canonicalOpportunity, claimedPeriods, provisionRuns } from './support/layer-records.js';
import { reconcileRounds } from './support/metrics.js';
import {
  crmErpProject,
  erpCustomersNamed,
  erpInvoicesSince,
  erpProjectsNamed,
  invoicesPerProjectAndPeriod,
  linesPerSource,
  schedulingProjectsNamed,
  timeProjectsNamed,
} from './support/platforms.js';

const pg = testEngines().find((e) => e.name === 'postgres');
const skipped = !findHaproxy()
  ? 'haproxy is not installed (.ci/run installs it; Debian: apt-get install haproxy)'
  : !pg || !redisUrl
    ? 'TEST_DATABASE_URL and TEST_REDIS_URL are not both set'
    : undefined;
if (skipped) console.warn(`[test] replicas behind HAProxy: skipped, ${skipped}`);

const FINISHED = ['completed', 'failed', 'cancelled', 'compensated'] as const;
const finished = (state: string) => (FINISHED as readonly string[]).includes(state);
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- answers are checked field by field

describe.skipIf(Boolean(skipped))('three replicas behind HAProxy on one PostgreSQL and one Redis', () => {
  let h: ClusterHarness;
  /** The deal won in the webhook test, billed in the billing test. */
  let won: { name: string; accountName: string; engagementId: string; days: string[] };
  /** The deals provisioned across a SIGKILL; the schedule bills the first. */
  let killedDeals: Array<{ name: string; accountName: string; engagementId: string }> = [];
  beforeAll(async () => {
    h = await startClusterHarness(pg!, redisUrl!, 3);
  }, 150_000);
  afterAll(async () => {
    await h?.close();
  }, 60_000);

  it('counts one rate limit for a consumer, whichever replica answers (Redis)', async () => {
    const auth = await h.auth('process:read', 'rate-probe');
    const answers: Array<{ status: number; remaining: number | undefined }> = [];
    for (let i = 0; i < 9; i++) {
      const replica = h.cluster.replicas[i % 3]!;
      const res = await fetch(`${replica.url}/process/time-to-billing/v1/runs?limit=1`, { headers: auth });
      await res.arrayBuffer();
      const r = /;r=(\d+)/.exec(res.headers.get('ratelimit') ?? '')?.[1];
      answers.push({ status: res.status, remaining: r === undefined ? undefined : Number(r) });
    }
    expect(
      answers.map((a) => a.status),
      'nine calls of a consumer with a quota of 6, sent to replica 1, 2, 3, 1, …',
    ).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429]);
    expect(
      answers.slice(0, 6).map((a) => a.remaining),
      'quota left after each call, as each replica reports it',
    ).toEqual([5, 4, 3, 2, 1, 0]);
    const viaProxy = await fetch(`${h.cluster.url}/process/time-to-billing/v1/runs?limit=1`, { headers: auth });
    expect(viaProxy.status, 'the same consumer through HAProxy').toBe(429);
  });

  it('starts one run for a CRM change event, streamed by every replica and its webhook delivered to every replica', async () => {
    const read = await h.auth('erp:read crm-app:read');
    // Work days before this month (the schedule bills everything approved up to the previous month's end).
    const firstOfMonth = new Date(`${new Date().toISOString().slice(0, 7)}-01T12:00:00Z`);
    const days = await germanRateCardDays((method, path) => callJson(h.cluster.url, method, path, read), firstOfMonth);
    const start = `${days[0]!.slice(0, 7)}-01`;
    const name = `Cluster webhook ${Date.now()}`;
    const deal = await winDeal(h.urls, { name, startDate: start, endDate: `${start.slice(0, 4)}-12-31`, amount: 90_000 });
    const message = (await waitFor(() => h.crmWebhooks.find((w) => w.body.includes(deal.sfOpportunityId)), {
      what: "the CRM's relayed change event for the deal",
    }))!;
    const headers = Object.fromEntries(
      ['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature'].map((k) => [k, String(message.headers[k])]),
    );
    for (const replica of h.cluster.replicas) {
      const res = await fetch(`${replica.url}/webhooks/crm`, { method: 'POST', headers, body: message.body });
      expect(res.status, `the same webhook delivered again, to ${replica.name}`).toBeLessThan(300);
    }
    const opportunityId = await canonicalOpportunity(h.store, deal.sfOpportunityId);
    const project = await waitFor(
      () => callJson<Json>(h.cluster.url, 'GET', `/experience/crm/v2/opportunities/${opportunityId}/project`, read),
      {
        until: (r) => r.status === 200 && finished(r.body.status),
        what: 'the provisioning to finish',
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    );
    expect(project.body.status, 'provisioning of the deal').toBe('completed');
    const webhookId = headers['webhook-id']!;
    const inbox = await h.store.db
      .selectFrom('inbox_messages')
      .select('webhook_id')
      .where('source', '=', 'crm')
      .where('webhook_id', '=', webhookId)
      .execute();
    expect(inbox, 'inbox records of the change (streamed by each replica, relayed through HAProxy, delivered again to each)').toHaveLength(
      1,
    );
    const intake = await h.store.db.selectFrom('workflow_runs').select('id').where('run_key', '=', `crm:${webhookId}`).execute();
    expect(intake, 'runs the webhook started').toHaveLength(1);
    expect(await provisionRuns(h.store, opportunityId), 'provisioning runs of the deal').toHaveLength(1);
    expect(await erpProjectsNamed(h.urls, name), 'ERP projects of the deal').toHaveLength(1);
    expect(await schedulingProjectsNamed(h.urls, name), 'scheduling projects of the deal, with their allocations').toEqual([
      { projectId: expect.any(Number), tasks: 1 },
    ]);
    expect(await timeProjectsNamed(h.urls, name), 'time platform projects of the deal').toBe(1);
    won = { name, accountName: deal.accountName, engagementId: project.body.project.id as string, days };
  }, 120_000);

  it('finishes the provisioning a SIGKILLed replica left half done, each effect once on the platforms', async () => {
    await h.faults('erp', { latencyMs: 250, latencyJitterMs: 100 });
    const stamp = Date.now();
    const names = [1, 2, 3, 4].map((i) => `Cluster kill ${stamp} ${i}`);
    const start = `${won.days[0]!.slice(0, 7)}-01`;
    const deals = [];
    for (const name of names)
      deals.push(await winDeal(h.urls, { name, startDate: start, endDate: `${start.slice(0, 4)}-12-31`, amount: 50_000 }));
    const midway = await waitFor(
      async () => {
        const rows = await h.store.db
          .selectFrom('workflow_runs as r')
          .innerJoin('workflow_steps as s', 's.run_id', 'r.id')
          .select(['r.id', 'r.claimed_by'])
          .where('r.definition', '=', 'opportunity-to-project')
          .where('r.state', '=', 'running')
          .where('s.state', '=', 'completed')
          .execute();
        return rows.find((r) => h.holderOf(r.claimed_by));
      },
      { what: 'a provisioning run part-way through on a replica', timeoutMs: 60_000, intervalMs: 20 },
    );
    const victim = h.holderOf(midway!.claimed_by)!;
    victim.process.kill('SIGKILL');
    await victim.exited;
    const left = await h.store.db
      .selectFrom('workflow_runs')
      .select('id')
      .where('claimed_by', '=', midway!.claimed_by)
      .where('state', 'not in', FINISHED)
      .execute();
    expect(left.length, `runs ${victim.name} left unfinished when it was killed`).toBeGreaterThan(0);

    const opportunityIds = await Promise.all(deals.map((d) => canonicalOpportunity(h.store, d.sfOpportunityId)));
    await waitFor(() => Promise.all(opportunityIds.map((id) => provisionRuns(h.store, id))), {
      until: (runs) => runs.every((r) => r.length === 1 && r[0]!.state === 'completed'),
      what: 'the surviving replicas to finish every provisioning',
      timeoutMs: 90_000,
      intervalMs: 200,
    });
    await h.faults('erp', null);
    expect(await erpCustomersNamed(h.urls, deals[0]!.accountName), `ERP customers of ${deals[0]!.accountName}`).toHaveLength(1);
    for (const [i, name] of names.entries()) {
      expect(await crmErpProject(h.urls, deals[i]!.sfOpportunityId), `what the CRM shows on ${name}`).toEqual({
        id: expect.any(String),
        status: 'Provisioned',
      });
      expect(await erpProjectsNamed(h.urls, name), `ERP projects of ${name}`).toHaveLength(1);
      expect(await schedulingProjectsNamed(h.urls, name), `scheduling projects of ${name}, with their allocations`).toEqual([
        { projectId: expect.any(Number), tasks: 1 },
      ]);
      expect(await timeProjectsNamed(h.urls, name), `time platform projects of ${name}`).toBe(1);
    }
    const read = await h.auth('crm-app:read');
    killedDeals = await Promise.all(
      deals.map(async (d, i) => {
        const project = await callJson<Json>(h.cluster.url, 'GET', `/experience/crm/v2/opportunities/${opportunityIds[i]}/project`, read);
        return { name: d.name, accountName: d.accountName, engagementId: project.body.project.id as string };
      }),
    );
  }, 180_000);

  it('bills once what a replica SIGKILLed mid-billing left', async () => {
    const writer = { ...(await h.auth('process:write process:read time:read')), ...idempotencyKey() };
    await logAndApproveTime(h.urls, won.name, won.accountName, won.days, 8);
    await waitFor(
      () =>
        callJson<{ items: unknown[] }>(
          h.cluster.url,
          'GET',
          `/system/time/v1/time-entries?engagementId=${won.engagementId}&approvalStatus=approved&billingStatus=unbilled&limit=200`,
          writer,
        ),
      { until: (r) => r.status === 200 && r.body.items.length === 2, what: 'the approved time to show in the layer' },
    );
    await h.faults('erp', { latencyMs: 300, latencyJitterMs: 100 });
    const month = won.days[0]!.slice(0, 7);
    const last = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10);
    const started = await callJson<Json>(h.cluster.url, 'POST', '/process/time-to-billing/v1/runs', writer, {
      periodStart: `${month}-01`,
      periodEnd: last,
      engagementId: won.engagementId,
    });
    expect(started.status, 'billing run accepted').toBe(202);
    const runId = started.body.id as string;
    const claimedBy = await waitFor(
      async () => {
        const steps = await h.store.db.selectFrom('workflow_steps').select('state').where('run_id', '=', runId).execute();
        const run = await h.store.db.selectFrom('workflow_runs').select(['state', 'claimed_by']).where('id', '=', runId).executeTakeFirst();
        return run?.state === 'running' && steps.some((s) => s.state === 'completed') && h.holderOf(run.claimed_by)
          ? run.claimed_by
          : undefined;
      },
      { what: 'the billing run part-way through on a replica', timeoutMs: 60_000, intervalMs: 20 },
    );
    const victim = h.holderOf(claimedBy ?? null)!;
    victim.process.kill('SIGKILL');
    await victim.exited;
    const run = await waitFor(() => callJson<Json>(h.cluster.url, 'GET', `/process/time-to-billing/v1/runs/${runId}`, writer), {
      until: (r) => ['succeeded', 'failed', 'rejected', 'cancelled'].includes(r.body.status),
      what: 'a surviving replica to finish the billing run',
      timeoutMs: 90_000,
      intervalMs: 200,
    });
    await h.faults('erp', null);
    expect(run.body.status, `billing run after ${victim.name} was killed`).toBe('succeeded');
    const [job] = await erpProjectsNamed(h.urls, won.name);
    const invoices = (await erpInvoicesSince(h.urls, h.invoicesBefore)).filter((i) => i.job?.id === job);
    expect(invoices, 'ERP invoices of the project').toHaveLength(1);
    expect([...linesPerSource(invoices).values()], 'invoice lines per approved time entry (two entries)').toEqual([1, 1]);
  }, 180_000);

  it('bills the previous month once and polls ERP once a period, though every replica runs both schedules', async () => {
    const [first] = killedDeals;
    await logAndApproveTime(h.urls, first!.name, first!.accountName, won.days, 6);
    const reader = await h.auth('time:read');
    await waitFor(
      () =>
        callJson<{ items: unknown[] }>(
          h.cluster.url,
          'GET',
          `/system/time/v1/time-entries?engagementId=${first!.engagementId}&approvalStatus=approved&billingStatus=unbilled&limit=200`,
          reader,
        ),
      { until: (r) => r.status === 200 && r.body.items.length === 2, what: 'the approved time to show in the layer' },
    );
    // Every replica again (the two killed above too, as an orchestrator would replace them), now
    // with the schedules on: billing ticks at start and every second after, reconciliation polls
    // in periods of a second.
    await Promise.all(
      h.cluster.replicas.map(async (r) => {
        if (r.process.exitCode === null && r.process.signalCode === null) r.process.kill('SIGTERM');
        await r.exited;
      }),
    );
    await Promise.all(
      h.cluster.replicas.map((r) => h.cluster.restart(r.index, { BILLING_SCHEDULE_EVERY_MS: '1000', RECONCILE_EVERY_MS: '1000' })),
    );
    const period = previousMonth(new Date().toISOString().slice(0, 10));
    const billingRuns = () =>
      h.store.db
        .selectFrom('workflow_runs')
        .select(['definition', 'state', 'run_key'])
        .where('definition', 'in', ['time-to-billing-period', 'time-to-billing'])
        .execute();
    await waitFor(billingRuns, {
      until: (rows) =>
        rows.some((r) => r.definition === 'time-to-billing-period' && r.state === 'completed') && rows.every((r) => finished(r.state)),
      what: 'the scheduled billing of the previous month to finish',
      timeoutMs: 90_000,
      intervalMs: 200,
    });
    // A few more ticks of each replica's schedule, which must start nothing.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const periodRuns = (await billingRuns()).filter((r) => r.definition === 'time-to-billing-period');
    expect(
      periodRuns.map((r) => r.run_key),
      'period runs after three replicas ticked',
    ).toEqual([`all:${period.key}`]);
    const invoices = await erpInvoicesSince(h.urls, h.invoicesBefore);
    const [job] = await erpProjectsNamed(h.urls, first!.name);
    const scheduled = invoices.filter((i) => i.job?.id === job);
    expect(scheduled, `ERP invoices of ${first!.name}, billed by the schedule`).toHaveLength(1);
    expect([...linesPerSource(scheduled).values()], 'invoice lines per approved time entry (two entries)').toEqual([1, 1]);
    expect(
      [...invoicesPerProjectAndPeriod(invoices)].filter(([, n]) => n !== 1),
      'ERP projects with more than one invoice for a period, over the whole test',
    ).toEqual([]);
    expect(
      [...linesPerSource(invoices)].filter(([, n]) => n !== 1),
      'time entries, expenses or milestones on more than one ERP invoice line, over the whole test',
    ).toEqual([]);

    const claimed = () => claimedPeriods(h.store, RECONCILE_JOB);
    const claimedBefore = await claimed();
    const rounds = await reconcileRounds(h);
    const claimedAfter = await claimed();
    expect(claimedBefore, 'periods of the reconciliation poll claimed so far').toBeGreaterThan(1);
    expect(rounds.ran, 'reconciliation rounds run, summed over the replicas, at least the periods claimed before').toBeGreaterThanOrEqual(
      claimedBefore,
    );
    expect(rounds.ran, 'reconciliation rounds run, summed over the replicas, at most the periods claimed after').toBeLessThanOrEqual(
      claimedAfter,
    );
    expect(rounds.skipped, 'rounds a replica skipped because another had the period').toBeGreaterThan(0);
  }, 150_000);

  it('takes a replica out of rotation while it drains on SIGTERM, and every request gets its answer', async () => {
    const alive = h.cluster.replicas.filter((r) => r.process.exitCode === null && r.process.signalCode === null);
    expect(alive.length, 'replicas still running: one to drain, others to take the traffic').toBeGreaterThan(1);
    const result = await drainUnderLoad(h, alive[0]!, won.engagementId);
    expect(result.readiness, 'readiness of the draining replica, on a new connection').toEqual({
      status: 503,
      detail: expect.stringMatching(/shutting down/),
    });
    expect(result.newConnectionWhileDraining, 'a new connection to the draining replica, while readiness fails').toBe(200);
    expect(result.proxyStateWhileDraining, 'what HAProxy makes of it before it stops').toMatch(/^DOWN/);
    expect(result.sentAfterDown, 'requests HAProxy sent it once it was DOWN').toBe(0);
    expect(result.redispatched, 'requests HAProxy had to send elsewhere because it refused them').toBe(0);
    expect(result.inFlight, 'requests the replica had accepted when SIGTERM came').toEqual([200, 200, 200]);
    expect(result.viaProxy.length, 'requests sent through HAProxy meanwhile').toBeGreaterThan(0);
    expect(
      result.viaProxy.filter((s) => s !== 200),
      'requests through HAProxy that did not get a 200',
    ).toEqual([]);
    expect(result.exitCode, 'exit code of the drained replica').toBe(0);
  }, 120_000);
});
