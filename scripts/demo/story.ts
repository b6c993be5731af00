// The demo's one story, end to end against a running layer: a won deal becomes a staffed
// project, approved hours become a posted invoice, the payment comes back to the CRM. What a
// person does happens on that platform's sandbox (people.ts); what the layer does goes
// through the layer's own APIs with a development token.
import { minorToDecimalString } from '../../core/money.js';
import { DemoError, requestJson, StepLog, waitFor, type JsonAnswer } from './http.js';
import { assignConsultant, logAndApproveTime, receivePayment, winDeal, type SandboxUrls } from './people.js';

export interface DemoOptions {
  /** The running layer, e.g. http://127.0.0.1:8080 */
  layerUrl: string;
  sandboxes: SandboxUrls;
  /** A bearer token with the scopes in DEMO_SCOPES. */
  token: string;
  print?: (line: string) => void;
  /** How long to wait for each asynchronous hand-over (webhooks, runs). Default 60 s. */
  waitMs?: number;
}

export const DEMO_SCOPES = [
  'crm-app:read',
  'crm-app:write',
  'process:read',
  'process:write',
  'crm:read',
  'erp:read',
  'scheduling:read',
  'time:read',
];

export interface DemoResult {
  ok: boolean;
  log: StepLog;
  opportunityId?: string;
  accountId?: string;
  invoiceId?: string;
  error?: Error;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- answers are checked field by field below

/**
 * Work dates of the story: Monday and Tuesday of last week, moved into the rate card's
 * effective period when the clock is outside it (a seeded card covers one year), so the
 * hours can always be rated.
 */
export function workDays(card: { effectiveFrom: string; effectiveTo?: string | null }, today = new Date()): string[] {
  const DAY = 86_400_000;
  const at = (date: string) => Date.parse(`${date}T00:00:00Z`);
  const mondayOnOrBefore = (t: number) => t - ((new Date(t).getUTCDay() + 6) % 7) * DAY;
  const t = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  let monday = mondayOnOrBefore(t) - 7 * DAY;
  if (card.effectiveTo && monday + DAY > at(card.effectiveTo)) monday = mondayOnOrBefore(at(card.effectiveTo) - DAY);
  if (monday < at(card.effectiveFrom)) monday = mondayOnOrBefore(at(card.effectiveFrom) + 6 * DAY);
  return [monday, monday + DAY].map((d) => new Date(d).toISOString().slice(0, 10));
}

export function monthOf(date: string): { periodStart: string; periodEnd: string } {
  const [y, m] = date.split('-').map(Number);
  const last = new Date(Date.UTC(y!, m!, 0)).getUTCDate();
  return { periodStart: `${date.slice(0, 7)}-01`, periodEnd: `${date.slice(0, 7)}-${String(last).padStart(2, '0')}` };
}

/** The work dates for the German legal entity's active rate card (the one the deal names). */
export async function germanRateCardDays(
  layer: <T>(method: string, path: string) => Promise<JsonAnswer<T>>,
  today = new Date(),
): Promise<string[]> {
  const entities = await layer<{ items: Json[] }>('GET', '/system/erp/v1/legal-entities?limit=200');
  const german = entities.body.items.find((e) => e.country === 'DE' && e.status === 'active');
  if (!german) throw new DemoError('ERP has no active German legal entity.', entities.body);
  const cards = await layer<{ items: Json[] }>('GET', `/system/erp/v1/rate-cards?legalEntityId=${german.id}&limit=200`);
  const card = cards.body.items
    .filter((c) => c.status === 'active')
    .sort((a, b) => String(b.effectiveFrom).localeCompare(String(a.effectiveFrom)))[0];
  if (!card) throw new DemoError(`ERP has no active rate card for ${german.name}.`, cards.body);
  return workDays(card as { effectiveFrom: string; effectiveTo?: string | null }, today);
}

// In the currency's own minor unit (JPY has none, KWD three).
const money = (m: { amountMinor: number; currency: string } | undefined) =>
  m ? `${minorToDecimalString(m.amountMinor, m.currency)} ${m.currency}` : '?';

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const waitMs = options.waitMs ?? 60_000;
  const log = new StepLog(print);
  const urls = options.sandboxes;
  const auth = { authorization: `Bearer ${options.token}` };
  const layer = <T = Json>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonAnswer<T>> =>
    requestJson<T>(`${options.layerUrl}${path}`, { method, headers: { ...auth, ...headers }, body });
  const idempotencyKey = () => ({ 'idempotency-key': `"demo-${crypto.randomUUID()}"` });
  const result: DemoResult = { ok: false, log };

  let days: string[];
  try {
    days = await germanRateCardDays(layer);
  } catch (err) {
    print(`  Cannot read the German rate card through the layer: ${err instanceof Error ? err.message : String(err)}`);
    return { ok: false, log, error: err instanceof Error ? err : new Error(String(err)) };
  }
  const period = monthOf(days[0]!);
  // The contract runs from the first of the work month to the end of that year (the rate card's year).
  const start = period.periodStart;
  const endYear = Number(start.slice(0, 4));
  const dealName = `Warehouse analytics – demo ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`;
  print(`\n  The story: "${dealName}", from won deal to paid invoice\n`);
  try {
    const deal = await log.run('opportunity won', 'salesperson in CRM', async () => {
      const won = await winDeal(urls, { name: dealName, startDate: start, endDate: `${endYear}-12-31`, amount: 120_000 });
      return { value: won, outcome: `${won.name} for ${won.accountName}, 120,000.00 EUR, time and materials` };
    });

    const opportunity = await log.run('CRM finds it in the layer', 'CRM app → layer', async () => {
      const page = await waitFor(
        'the opportunity to reach the layer',
        () => layer<{ items: Json[] }>('GET', '/system/crm/v1/opportunities?stage=closed-won&limit=200'),
        (r) => r.body.items.some((o) => o.name === deal.name),
        waitMs,
      );
      const found = page.body.items.find((o) => o.name === deal.name)!;
      result.opportunityId = found.id;
      result.accountId = found.clientId;
      return { value: found, outcome: `opportunity ${found.id}` };
    });

    const provisioning = await log.run('create project (CRM waits)', 'CRM app → experience v2', async () => {
      const first = await layer<Json>('POST', `/experience/crm/v2/opportunities/${opportunity.id}/project`, undefined, {
        ...idempotencyKey(),
        prefer: 'wait=20',
      });
      const done =
        first.body.status === 'completed'
          ? first
          : await waitFor(
              'provisioning to finish',
              () => layer<Json>('GET', `/experience/crm/v2/opportunities/${opportunity.id}/project`),
              (r) => ['completed', 'rejected', 'failed'].includes(r.body.status),
              waitMs,
            );
      if (done.body.status !== 'completed') throw new DemoError(`Provisioning ended ${done.body.status}.`, done.body);
      return {
        value: done.body,
        outcome: `${first.status} ${done.body.status}, ERP project ${done.body.project.code ?? done.body.project.id}`,
      };
    });
    const engagementId = provisioning.project.id as string;

    const project = await log.run('project created in ERP', 'layer: system ERP', async () => {
      const p = await layer<Json>('GET', `/system/erp/v1/projects/${engagementId}`);
      const time = await layer<Json>('GET', `/system/time/v1/projects/${engagementId}`);
      return {
        value: p.body,
        outcome: `${p.body.code ?? p.body.id} ${p.body.status}, budget ${money(p.body.budget)}; Time project open (${time.body.clientName})`,
      };
    });

    const staffingRequestId = (provisioning.staffingRequestIds as string[])[0]!;
    await log.run('staffing requested', 'layer: system scheduling', async () => {
      const r = await layer<Json>('GET', `/system/scheduling/v1/staffing-requests/${staffingRequestId}`);
      if (r.body.status !== 'open') throw new DemoError(`The staffing request is ${r.body.status}, not open.`, r.body);
      return { value: r.body, outcome: `${r.body.role}, ${Math.round(r.body.effortMinutes / 60)} h, ${r.body.status}` };
    });

    await log.run('consultant assigned', 'scheduler in Scheduling', async () => {
      const a = await assignConsultant(urls, project.name);
      const r = await waitFor(
        'the staffing request to be filled',
        () => layer<Json>('GET', `/system/scheduling/v1/staffing-requests/${staffingRequestId}`),
        (x) => x.body.status === 'filled',
        waitMs,
      );
      return { value: a, outcome: `${a.person}; the layer sees the request ${r.body.status}` };
    });

    await log.run('time logged and approved', 'consultant, manager in Time', async () => {
      const t = await logAndApproveTime(urls, project.name, deal.accountName, days, 8);
      const approved = await waitFor(
        'the approved time to show in the layer',
        () =>
          layer<{ items: Json[] }>(
            'GET',
            `/system/time/v1/time-entries?engagementId=${engagementId}&approvalStatus=approved&billingStatus=unbilled&limit=200`,
          ),
        (r) => r.body.items.length >= t.entryIds.length,
        waitMs,
      );
      return {
        value: t,
        outcome: `${t.consultant}, ${t.hours} h on ${days.join(' and ')}; ${approved.body.items.length} approved, unbilled`,
      };
    });

    const run = await log.run('time-to-billing run', 'layer: process API', async () => {
      const started = await layer<Json>('POST', '/process/time-to-billing/v1/runs', { ...period, engagementId }, idempotencyKey());
      const finished = await waitFor(
        'the billing run to finish',
        () => layer<Json>('GET', `/process/time-to-billing/v1/runs/${started.body.id}`),
        (r) => ['succeeded', 'failed', 'rejected', 'cancelled'].includes(r.body.status),
        waitMs,
      );
      if (finished.body.status !== 'succeeded') throw new DemoError(`The billing run ended ${finished.body.status}.`, finished.body);
      return {
        value: finished.body,
        outcome: `${period.periodStart} – ${period.periodEnd}: ${finished.body.steps.map((s: Json) => s.name).join(' → ')}`,
      };
    });

    const invoice = await log.run('invoice posted in ERP', 'layer: system ERP', async () => {
      const page = await layer<{ items: Json[] }>('GET', `/system/erp/v1/invoices?engagementId=${engagementId}&limit=200`);
      const posted = page.body.items.find((i) => i.periodStart === period.periodStart && i.status !== 'draft');
      if (!posted)
        throw new DemoError(
          `ERP has no posted invoice for ${engagementId} in ${period.periodStart.slice(0, 7)} (run ${run.id}).`,
          page.body,
        );
      result.invoiceId = posted.id;
      return {
        value: posted,
        outcome: `${posted.number ?? posted.id}: net ${money(posted.netTotal)} + tax ${money(posted.taxTotal)} = ${money(posted.total)}, ${posted.status}`,
      };
    });

    await log.run('payment received', 'finance in ERP', async () => {
      const paid = await receivePayment(urls, invoice.number as string);
      return { value: paid, outcome: `bank transfer of ${paid.amount} ${invoice.currency} applied to ${invoice.number}` };
    });

    await log.run('billing status back to CRM', 'layer: billing-status-to-crm', async () => {
      const status = await waitFor(
        'the CRM opportunity to show it paid',
        () => layer<Json>('GET', `/system/crm/v1/opportunities/${opportunity.id}`),
        (r) => r.body.billing?.status === 'paid',
        waitMs,
      );
      return {
        value: status.body,
        outcome: `opportunity billing ${status.body.billing.status}, invoice ${status.body.billing.invoiceStatus}`,
      };
    });

    await log.run('CRM account shows it paid', 'CRM app → experience v2', async () => {
      const billing = await layer<Json>('GET', `/process/billing-status-to-crm/v1/accounts/${opportunity.clientId}/billing-status`);
      const ours = (billing.body.invoices as Json[]).find((i) => i.invoiceId === invoice.id);
      if (!ours || ours.amountOutstanding.amountMinor !== 0)
        throw new DemoError('The account does not show the invoice paid.', billing.body);
      const overview = await layer<Json>('GET', `/experience/crm/v2/accounts/${opportunity.clientId}/overview`);
      const row = (overview.body.projects as Json[]).find((p) => p.projectId === engagementId);
      if (!row) throw new DemoError('The account overview does not list the project.', overview.body);
      return {
        value: overview.body,
        outcome: `${overview.body.name}: invoice ${invoice.number} paid ${money(ours.amountPaid)}, outstanding ${money(ours.amountOutstanding)}; project ${row.staffingState}, unbilled ${money(row.unbilledAmount)}; ${overview.body.openInvoiceCount} open invoice(s)`,
      };
    });
    result.ok = true;
  } catch (err) {
    result.error = err instanceof Error ? err : new Error(String(err));
  }
  print(`\n${log.summary()}\n`);
  print(
    result.ok ? '  The deal is won, staffed, billed and paid, and the CRM shows it.\n' : `  The story stopped: ${result.error?.message}\n`,
  );
  return result;
}
