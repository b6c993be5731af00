// The five business views against the whole layer as `npm start` runs it (start() on port 0, its
// embedded sandboxes, a temporary VAR_DIR), after `npm run demo` told its story: faults and edits
// on the platforms give each question a real business record; the scheduled reconciliation (no
// pass is ever started by hand) lists each with its platform link, age, money at risk, the run
// that stopped and the action that fixes it; /metrics counts them; each fix action clears its
// record. With SCREENSHOT_DIR set (`npm run screenshots`), the console is photographed in between.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../core/config/index.js';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { signDevToken } from '../../gateway/auth/dev-keys.js';
import { readSandboxesFile } from '../../gateway/sandboxes-file.js';
import { start, type RunningGateway } from '../../gateway/server.js';
import { main as demo } from '../../scripts/demo.js';
import { requestJson } from '../../scripts/demo/http.js';
import { logAndApproveTime, winDeal, type SandboxUrls, type WonDeal } from '../../scripts/demo/people.js';
import { germanRateCardDays, monthOf } from '../../scripts/demo/story.js';
import { haveChromium } from '../browser/support/chromium.js';
import { testEngines } from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';
import { wholeLayerConfig } from '../support/whole-layer.js';
import { photographConsole } from './support/console-photos.js';
import {
  changeStaffedHours,
  clearErpFaults,
  ERP_RECORDS,
  erpRefuses,
  holdOpenInvoice,
  overwriteAccountBilling,
} from './support/platform-faults.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- answers are checked field by field
type Money = { amountMinor: number; currency: string };
interface Exception {
  id: string;
  question: string;
  type: string;
  title: string;
  status: string;
  records: Array<{ platform: string; entity: string; id: string; canonicalId?: string | null; label?: string | null; url?: string | null }>;
  moneyAtRisk: Money | null;
  repair: { safe: boolean; action: string; description: string; runId: string | null };
  run: { runId: string; workflow: string; step: string | null; state: string; deadLetterId: number | null } | null;
  firstSeenAt: string;
  lastSeenAt: string;
  ageSeconds: number;
}

const OPS = '/experience/operations/v1';
// Short schedules so that each record shows within seconds: the live pass reads the layer's failed
// runs, the platform pass compares the platforms' records (about a second against the small seed,
// a few calls to Harvest's 100-per-15-seconds limit each).
const LIVE_EVERY_MS = 500;
const PASS_EVERY_MS = 2_000;
/** Hours a day logged for the month the billing run cannot post. */
const HOURS_A_DAY = 3.5;
const SCOPES = 'ops:read ops:write process:read process:write crm:read erp:read time:read scheduling:read';
const SHOTS = process.env.SCREENSHOT_DIR ? join(PROJECT_ROOT, process.env.SCREENSHOT_DIR) : undefined;
/** What each record of the five must be found by, once the test has made it. */
interface Made {
  deal: WonDeal;
  assignmentTaskId: string;
  engagementId: string;
  billingRunId: string;
  heldInvoice: { nativeId: string; number: string };
  sfAccountId: string;
}

const engines = testEngines();
for (const engine of engines)
  describe(`the five business views against the whole layer after the demo, with faults (${engine.name})`, () => {
    let dir: string;
    let config: Config;
    let gateway: RunningGateway;
    let urls: SandboxUrls;
    let token: string;
    let demoInvoice: Json;
    const made = {} as Made;
    const found = new Map<string, Exception>();

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'five-views-'));
      const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent', VAR_DIR: dir };
      config = wholeLayerConfig(dir, await engine.freshUrl(), {
        SCHEDULING_POLL_INTERVAL_MS: '500',
        RECONCILE_LIVE_EVERY_MS: String(LIVE_EVERY_MS),
        RECONCILE_PASS_EVERY_MS: String(PASS_EVERY_MS),
        // The operator's action is the fix under test: a scheduled pass must not make the safe repairs first.
        RECONCILE_AUTO_REPAIR: 'off',
        // Trend points for the overview's charts.
        BUSINESS_FIGURES_EVERY_MS: '3000',
      });
      gateway = await start(config);
      urls = readSandboxesFile(dir) as unknown as SandboxUrls;
      token = await signDevToken(config, { scope: SCOPES, sub: 'alice.operator@firm.example', claims: { client_id: 'ops-console' } });
      const told = await demo([], env, () => undefined);
      expect(told.code, 'the demo told its whole story').toBe(0);
      demoInvoice = await layer(`/system/erp/v1/invoices/${told.result!.invoiceId}`);
    }, 90_000);
    afterAll(async () => {
      await gateway?.close();
      await engine.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** One call to the layer with the operator's token, whatever its answer. */
    async function call<T = Json>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(`${gateway.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as T };
    }
    async function layer<T = Json>(path: string): Promise<T> {
      const answer = await call<T>('GET', path);
      expect(answer.status, `GET ${path}: ${JSON.stringify(answer.body)}`).toBe(200);
      return answer.body;
    }
    const openIn = async (question: string) =>
      (await layer<{ items: Exception[] }>(`${OPS}/reconciliation/exceptions?question=${question}&limit=200`)).items;
    /** Waits, without starting a pass, for the scheduled passes to list the exception `pick` chooses in `question`'s view. */
    async function listed(question: string, what: string, pick: (e: Exception) => boolean): Promise<Exception> {
      // On a timeout the error shows what the view listed instead.
      const open = await waitFor(() => openIn(question), {
        until: (items) => items.some(pick),
        what: `${what} in the ${question} view`,
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      const exception = open.find(pick)!;
      found.set(question, exception);
      return exception;
    }
    /** A record whose run stopped: the run and the step it stopped at, and retrying it as the fix. */
    function expectStoppedRun(e: Exception, workflow: unknown, step: string): void {
      expect(e.run, `${e.question}: the run and step that stopped`).toMatchObject({ workflow, step, state: 'failed' });
      expect(e.repair, `${e.question}: the fix`).toMatchObject({ action: 'retry-run' });
    }
    const failedRun = (runs: Json[], workflow: string) => runs.find((r) => r.workflow === workflow && r.state === 'failed');

    it('lists each question’s record with its links, age, money at risk, stopped run and fix, without a manual pass', async () => {
      const engagementId = demoInvoice.engagementId as string;
      const project = await layer(`/system/erp/v1/projects/${engagementId}`);
      const timeProject = await layer(`/system/time/v1/projects/${engagementId}`);
      made.engagementId = engagementId;
      // Dates the German rate card covers, as the demo picks them: the demo's month for the new deal,
      // a month five weeks earlier for more approved hours (no month is longer than 35 days).
      const rateCardDays = (today: Date) =>
        germanRateCardDays(
          (method, path) => requestJson(`${gateway.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } }),
          today,
        );
      const dealStart = monthOf((await rateCardDays(new Date()))[0]!).periodStart;
      const days = await rateCardDays(new Date(Date.now() - 35 * 86_400_000));

      // ERP refuses projects: a deal won now fails to provision, and a change of the demo's staffing
      // cannot be priced (the forecast reads the project), so its forecast run fails too.
      await erpRefuses(urls, ERP_RECORDS.projects);
      const terms = { name: 'Harbour telemetry rollout', startDate: dealStart, endDate: `${dealStart.slice(0, 4)}-12-31`, amount: 48_000 };
      made.deal = await winDeal(urls, terms);
      made.assignmentTaskId = await changeStaffedHours(urls, project.name as string, 6);
      await waitFor(async () => (await layer<{ items: Json[] }>(`${OPS}/runs?state=failed&limit=200`)).items, {
        until: (runs) => Boolean(failedRun(runs, 'opportunity-to-project') && failedRun(runs, 'assignment-to-forecast')),
        what: 'the provisioning and the forecast runs to fail on ERP',
        intervalMs: 200,
      });

      // ERP refuses invoices: approved hours of an earlier month are drafted, and their invoice cannot be posted.
      await erpRefuses(urls, ERP_RECORDS.invoices);
      const period = monthOf(days[0]!);
      expect(period.periodStart, 'a month the demo did not bill').not.toBe(demoInvoice.periodStart);
      await logAndApproveTime(urls, project.name as string, timeProject.clientName as string, days, HOURS_A_DAY);
      await waitFor(
        () =>
          layer<{ items: Json[] }>(
            `/system/time/v1/time-entries?engagementId=${engagementId}&approvalStatus=approved&billingStatus=unbilled`,
          ),
        { until: (page) => page.items.length === days.length, what: 'the approved hours to reach the layer', intervalMs: 200 },
      );
      const billing = await call(
        'POST',
        '/process/time-to-billing/v1/runs',
        { ...period, engagementId },
        { 'idempotency-key': '"five-views-billing"' },
      );
      expect(billing.status, JSON.stringify(billing.body)).toBe(202);
      made.billingRunId = billing.body.id as string;
      await waitFor(() => layer(`/process/time-to-billing/v1/runs/${made.billingRunId}`), {
        until: (run) => run.status === 'failed',
        what: 'the billing run to fail on posting the invoice',
        intervalMs: 200,
      });
      await clearErpFaults(urls);

      // Finance holds another client's invoice in ERP; someone overwrites the demo account's billing status in the CRM.
      made.heldInvoice = await holdOpenInvoice(urls, demoInvoice.number as string, 'Client disputes the rate');
      made.sfAccountId = made.deal.sfAccountId;
      const overwrittenAt = Date.now();
      await overwriteAccountBilling(urls, made.sfAccountId, 5_000);

      const provisioning = await listed(
        'failed-provisioning',
        'the refused deal',
        (e) => e.type === 'provisioning-run-failed' && e.records[0]?.id === made.deal.sfOpportunityId,
      );
      expect(provisioning.records[0], 'the CRM opportunity, linked').toMatchObject({
        platform: 'crm',
        entity: 'opportunity',
        label: made.deal.name,
      });
      expect(provisioning.records[0]!.url, 'a link into the CRM').toContain(made.deal.sfOpportunityId);
      expect(provisioning.moneyAtRisk, "the deal's budget").toEqual({ amountMinor: 4_800_000, currency: 'EUR' });
      expectStoppedRun(provisioning, 'opportunity-to-project', 'create-project');

      const forecast = await listed(
        'out-of-sync-assignments',
        'the changed assignment',
        (e) => e.type === 'forecast-run-failed' && e.records.some((r) => r.entity === 'assignment' && r.id === made.assignmentTaskId),
      );
      expect(forecast.records[0], 'the Float assignment, linked').toMatchObject({
        platform: 'scheduling',
        entity: 'assignment',
        id: made.assignmentTaskId,
      });
      // Named by Float's own task id; the layer links to no Float page (process-apis/kit/record-refs.ts).
      expect(forecast.moneyAtRisk, 'a forecast puts no invoice at risk').toBeNull();
      expectStoppedRun(forecast, 'assignment-to-forecast', 'update-forecast');

      const unbilled = await listed(
        'unbilled-approved-time',
        'the billing run that could not post',
        (e) => e.type === 'billing-run-failed' && e.run?.runId === made.billingRunId,
      );
      expect(unbilled.records[0], 'the ERP project').toMatchObject({ platform: 'erp', entity: 'project', canonicalId: engagementId });
      expect(unbilled.records[0]!.url, 'a link into ERP').toContain(`id=${unbilled.records[0]!.id}`);
      // The drafted invoice: the hours at the rate ERP billed the demo's hours at, with the same tax.
      const hours = days.length * HOURS_A_DAY;
      const net = demoInvoice.lines[0].unitPrice.amountMinor * hours;
      const tax = Math.round((net * demoInvoice.taxTotal.amountMinor) / demoInvoice.netTotal.amountMinor);
      expect(unbilled.moneyAtRisk, 'the drafted invoice').toEqual({ amountMinor: net + tax, currency: 'EUR' });
      expectStoppedRun(unbilled, expect.stringContaining('time-to-billing'), 'post-invoice');

      const held = await listed(
        'blocked-invoices',
        'the held invoice',
        (e) => e.type === 'invoice-on-hold' && e.records[0]?.id === made.heldInvoice.nativeId,
      );
      const heldInErp = await layer(`/system/erp/v1/invoices/${held.records[0]!.canonicalId}`);
      expect(heldInErp.status, 'ERP holds it').toBe('on-hold');
      expect(held.records[0]!.url, 'a link into ERP').toContain(made.heldInvoice.nativeId);
      expect(held.moneyAtRisk, 'what the client still owes on it').toEqual(heldInErp.amountOutstanding);
      expect(held.run, 'no run stopped').toBeNull();
      expect(held.repair, 'the fix').toMatchObject({ action: 'release-invoice' });

      const billingStatus = await listed(
        'mismatched-billing-status',
        'the overwritten account',
        // Told apart by whether ERP recorded a payment after the layer last wrote the account.
        // Seen by a pass after the overwrite: the demo's payment may have left a brief mismatch of its
        // own open (the CRM not yet updated), which that pass finds changed.
        (e) =>
          ['account-billing-status-differs', 'payment-not-on-crm'].includes(e.type) &&
          e.records[0]?.id === made.sfAccountId &&
          Date.parse(e.lastSeenAt) > overwrittenAt,
      );
      expect(billingStatus.records[0], 'the CRM account, linked').toMatchObject({ platform: 'crm', entity: 'account' });
      expect(billingStatus.records[0]!.url, 'a link into the CRM').toContain(made.sfAccountId);
      // The demo's invoice is paid: ERP says nothing is owed, the CRM shows 5,000.00.
      expect(billingStatus.moneyAtRisk, 'the amount the CRM shows owed that is not').toEqual({ amountMinor: 500_000, currency: 'EUR' });
      expect(billingStatus.run, 'no run stopped').toBeNull();
      expect(billingStatus.repair, 'the fix').toMatchObject({ action: 'sync-billing-status', safe: true });

      for (const [question, e] of found) {
        expect(e.ageSeconds, `${question}: its age`).toBeGreaterThanOrEqual(0);
        expect(Date.parse(e.firstSeenAt), `${question}: first seen`).toBeLessThanOrEqual(Date.now());
      }
      const passes = await layer<{ items: Array<{ trigger: string }> }>(`${OPS}/reconciliation/passes?limit=200`);
      expect(new Set(passes.items.map((p) => p.trigger)), 'only scheduled passes ran').toEqual(new Set(['schedule']));
    }, 120_000);

    it('counts them on /metrics as the views do', async () => {
      const views = (
        await layer<{ items: Array<{ question: string; openExceptions: number; moneyAtRisk: Money[] }> }>(`${OPS}/business-views`)
      ).items;
      for (const [question, e] of found) {
        const view = views.find((v) => v.question === question)!;
        expect(view.openExceptions, `${question}: open in its view`).toBeGreaterThanOrEqual(1);
        const open = await openIn(question);
        const ofType = open.filter((o) => o.type === e.type).length;
        const metrics = await metricsText();
        expect(
          gauge(metrics, 'layer_reconciliation_exceptions_open', { question, type: e.type }),
          `${question} ${e.type}: open on /metrics`,
        ).toBe(ofType);
        for (const money of view.moneyAtRisk)
          expect(
            gauge(metrics, 'layer_reconciliation_money_at_risk_minor', { question, currency: money.currency }),
            `${question}: money at risk in ${money.currency} on /metrics`,
          ).toBe(money.amountMinor);
      }
    });

    // Once, from the first engine's layer: the pictures show the same console either way.
    it.skipIf(!SHOTS || !haveChromium || engine !== engines[0])(
      'photographs the console in this state',
      async () => {
        mkdirSync(SHOTS!, { recursive: true });
        await photographConsole(gateway.url, token, SHOTS!, {
          question: 'failed-provisioning',
          exceptionId: found.get('blocked-invoices')!.id,
        });
      },
      60_000,
    );

    it('clears each record by its fix action', async () => {
      for (const [question, e] of found) {
        const repair = await call('POST', `${OPS}/reconciliation/exceptions/${e.id}/repair`, undefined, {
          'idempotency-key': `"five-views-${e.id}"`,
        });
        expect(repair.status, `${question}: ${JSON.stringify(repair.body)}`).toBe(202);
      }
      for (const [question, e] of found) {
        const settled = await waitFor(() => layer<Exception>(`${OPS}/reconciliation/exceptions/${e.id}`), {
          until: (x) => x.status !== 'open' && x.status !== 'repairing',
          what: `${question}: the exception to clear after its repair`,
          intervalMs: 200,
        });
        // `repaired`; or `resolved` when a pass that read ERP just before the hold was released (a
        // repair with no run) stored its findings after it: it reopens the exception, the next pass resolves it.
        expect(['repaired', 'resolved'], `${question}: cleared by the repair (${settled.status})`).toContain(settled.status);
        expect(
          (await openIn(question)).map((x) => x.id),
          `${question}: gone from its view`,
        ).not.toContain(e.id);
      }
      // None of their kind left open, in the views and on /metrics. (A mismatch may show for a pass
      // while a fix's own sync is on its way to the CRM: the next pass resolves it.)
      for (const [question, e] of found) {
        const left = async () => ({
          open: (await openIn(question)).filter((x) => x.type === e.type).map((x) => x.title),
          onMetrics: gauge(await metricsText(), 'layer_reconciliation_exceptions_open', { question, type: e.type }),
        });
        await waitFor(left, {
          until: ({ open, onMetrics }) => open.length === 0 && onMetrics === 0,
          what: `${question} ${e.type}: none left open, in its view and on /metrics`,
          intervalMs: 200,
        });
      }
      // What the fixes did on the platforms and in the layer.
      for (const question of ['failed-provisioning', 'out-of-sync-assignments'])
        await waitFor(() => layer(`${OPS}/runs/${found.get(question)!.run!.runId}`), {
          until: (run) => run.state === 'completed',
          what: `${question}: the retried run to complete`,
          intervalMs: 200,
        });
      const released = await layer(`/system/erp/v1/invoices/${found.get('blocked-invoices')!.records[0]!.canonicalId}`);
      expect(released.status, 'the held invoice, released').not.toBe('on-hold');
      const billed = await layer(`/process/time-to-billing/v1/runs/${made.billingRunId}`);
      expect(billed.status, `the billing run: ${JSON.stringify(billed)}`).toBe('succeeded');
      const invoices = (await layer<{ items: Json[] }>(`/system/erp/v1/invoices?engagementId=${made.engagementId}&limit=200`)).items;
      const posted = invoices.filter((i) => i.status !== 'draft' && i.id !== demoInvoice.id);
      expect(posted, 'the invoice the retried run posted').toHaveLength(1);
      // The hand-written "overdue, 5,000.00 owed" is gone: the account shows what ERP holds, the new invoice open.
      const account = await layer(`/system/crm/v1/clients/${found.get('mismatched-billing-status')!.records[0]!.canonicalId}`);
      expect(account.billing?.status, "the CRM account's billing status").not.toBe('overdue');
      expect(account.billing?.outstanding, 'what the CRM account shows owed').toEqual(posted[0]!.amountOutstanding);
    }, 90_000);

    async function metricsText(): Promise<string> {
      const res = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, '/metrics').toBe(200);
      return res.text();
    }
  });

/** A gauge's value for exactly these labels (absent: 0, as a gauge reset and not set again reads). */
function gauge(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const pairs = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((p) => [p[1], p[2]]));
    if (Object.keys(labels).length === Object.keys(pairs).length && Object.entries(labels).every(([k, v]) => pairs[k] === v))
      return Number(m[3]);
  }
  return 0;
}
