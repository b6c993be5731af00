// The executive figures of a layer started as `npm start` starts it (embedded sandboxes with their
// small seed) after `npm run demo` told its story, plus more approved time and an invoice put on
// hold: each figure equals the one this test computes by the definitions in
// process-apis/business-figures/README.md from the platforms' own answers, not by calling the code
// that computes them. DSO, held work and the posting backlog from NetSuite's SuiteQL, utilisation
// from Harvest's and Float's APIs; the forecast and unbilled work need the layer's cross-references
// (engagement ids across platforms), so they are read through the system APIs and the rate card.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../core/config/index.js';
import { signDevToken } from '../../gateway/auth/dev-keys.js';
import { readSandboxesFile } from '../../gateway/sandboxes-file.js';
import { start as startLayer, type RunningGateway } from '../../gateway/server.js';
import { logAndApproveTime, type SandboxUrls } from '../../scripts/demo/people.js';
import { main as demo } from '../../scripts/demo.js';
import { testEngines } from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- answers are checked field by field
type Money = { amountMinor: number; currency: string };

const DAY = 86_400_000;
/** The sandboxes' seeded development credentials, as a person or script on those platforms uses them. */
const HARVEST_HEADERS = {
  authorization: 'Bearer sandbox-time-token',
  'harvest-account-id': '100001',
  'user-agent': 'executive figures test',
};
const FLOAT_TOKEN = 'sandbox-scheduling-token';

/** Rows of a SuiteQL query on the ERP sandbox, as a finance user signed in to NetSuite runs it. */
async function suiteql(erpUrl: string, q: string): Promise<Json[]> {
  const session = (await (await fetch(`${erpUrl}/_sandbox/ui-session`, { method: 'POST' })).json()) as { access_token: string };
  const res = await fetch(`${erpUrl}/services/rest/query/v1/suiteql?limit=1000`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.access_token}`, prefer: 'transient', 'content-type': 'application/json' },
    body: JSON.stringify({ q }),
  });
  const body = (await res.json()) as { items: Json[]; hasMore: boolean };
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.hasMore, 'one page holds them all').toBe(false);
  return body.items;
}
const SCOPES = 'ops:read erp:read erp:write time:read scheduling:read process:read';
/** Wide enough to hold every seed (Scheduling's January 2025, Time's June 2025, ERP's winter 2025) and the demo. */
const WINDOW_DAYS = 1500;

const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const at = (date: string) => Date.parse(`${date}T00:00:00Z`);
const monday = (date: string) => iso(at(date) - ((new Date(at(date)).getUTCDay() + 6) % 7) * DAY);
const hundredths = (hours: string) => Math.round(Number(hours) * 100);
const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;
function sums(amounts: Money[]): Money[] {
  const by = new Map<string, number>();
  for (const m of amounts) by.set(m.currency, (by.get(m.currency) ?? 0) + m.amountMinor);
  return [...by]
    .filter(([, v]) => v !== 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amountMinor]) => ({ amountMinor, currency }));
}

for (const engine of testEngines()) {
  describe(`executive figures against the seeded sandboxes and the demo (${engine.name})`, () => {
    let dir: string;
    let config: Config;
    let layer: RunningGateway;
    let startedAt: number;
    let auth: Record<string, string>;

    const get = async (path: string): Promise<Json> => {
      const res = await fetch(`${layer.url}${path}`, { headers: auth });
      const body = (await res.json()) as Json;
      expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
      return body;
    };
    const all = async (path: string): Promise<Json[]> => {
      const items: Json[] = [];
      let cursor: string | null = null;
      do {
        const sep = path.includes('?') ? '&' : '?';
        const page = await get(`${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        items.push(...(page.items as Json[]));
        cursor = page.nextCursor as string | null;
      } while (cursor);
      return items;
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'executive-'));
      config = loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        VAR_DIR: dir,
        PORT: '0',
        DATABASE_URL: await engine.freshUrl(),
        BUSINESS_FIGURES_WINDOW_DAYS: String(WINDOW_DAYS),
        SCHEDULING_POLL_INTERVAL_MS: '500',
      });
      startedAt = Date.now();
      layer = await startLayer(config);
      auth = {
        authorization: `Bearer ${await signDevToken(config, { scope: SCOPES, sub: 'exec-test', claims: { client_id: 'exec-test' } })}`,
      };
    }, 60_000);
    afterAll(async () => {
      await layer?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('gives no figures before the first computation', async () => {
      const body = await get('/experience/operations/v1/executive-figures');
      expect(body).toEqual({ computedAt: null, windowDays: WINDOW_DAYS, figures: [] });
    });

    it('computes each figure as the platforms give it', async () => {
      const { code } = await demo([], { NODE_ENV: 'test', LOG_LEVEL: 'silent', VAR_DIR: dir }, () => undefined);
      expect(code, 'the demo told its whole story').toBe(0);
      const urls = readSandboxesFile(dir) as unknown as SandboxUrls;

      // The demo's engagement: billed and paid. Its consultant logs two more days a week earlier, approved, not yet billed.
      const demoEntries = (await all('/system/time/v1/time-entries?approvalStatus=approved&billingStatus=billed')).filter(
        (e) => Date.parse(e.updatedAt) >= startedAt,
      );
      const engagementId = demoEntries[0]!.engagementId as string;
      const project = await get(`/system/erp/v1/projects/${engagementId}`);
      const timeProject = await get(`/system/time/v1/projects/${engagementId}`);
      const earlier = [...new Set(demoEntries.map((e) => e.workDate as string))].map((d) => iso(at(d) - 7 * DAY));
      await logAndApproveTime(urls, project.name, timeProject.clientName, earlier, 3.25);
      // A posted seed invoice put on hold in ERP.
      const posted = (await all('/system/erp/v1/invoices?status=posted'))[0]!;
      const hold = await fetch(`${layer.url}/system/erp/v1/invoices/${posted.id}/hold`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `"${crypto.randomUUID()}"` },
        body: JSON.stringify({ reason: 'Client disputes the rate' }),
      });
      expect(hold.status).toBe(200);
      // The forecast journey has read the demo's assignment from Scheduling's change feed.
      await waitFor(
        async () =>
          (await fetch(`${layer.url}/process/assignment-to-forecast/v1/forecasts/${engagementId}?granularity=week`, { headers: auth }))
            .status,
        {
          until: (status) => status === 200,
          timeoutMs: 30_000,
        },
      );
      await waitFor(() => all(`/system/time/v1/time-entries?engagementId=${engagementId}&approvalStatus=approved&billingStatus=unbilled`), {
        until: (entries) => entries.length === 2,
        timeoutMs: 30_000,
      });

      await layer.layers.processApis.businessFigures.compute();
      const shown = await get('/experience/operations/v1/executive-figures');
      expect(shown.windowDays).toBe(WINDOW_DAYS);
      const to = shown.computedAt.slice(0, 10) as string;
      const from = iso(at(to) - (WINDOW_DAYS - 1) * DAY);
      const figure = (name: string) => shown.figures.find((f: Json) => f.name === name) as Json;

      // DSO from NetSuite's own query API, read as its documentation defines the fields: status A (Open) or
      // B (Paid In Full), D (Pending Approval: a draft), and the billing-hold box; amounts in major units.
      const erpRows = await suiteql(
        urls.erp,
        "SELECT id, status, trandate, currency, foreigntotal, foreignamountremaining, custbody_billing_hold FROM transaction WHERE type = 'CustInvc'",
      );
      const symbols = new Map((await suiteql(urls.erp, 'SELECT id, symbol FROM currency')).map((c) => [c.id, c.symbol as string]));
      const invoices = erpRows.map((r) => ({
        currency: symbols.get(r.currency)!,
        issued: ((r.status === 'A' && r.custbody_billing_hold !== 'T') || r.status === 'B') as boolean,
        held: r.custbody_billing_hold === 'T' && ['A', 'D'].includes(r.status),
        draft: r.status === 'D' && r.custbody_billing_hold !== 'T',
        issueDate: r.trandate as string,
        total: Math.round(Number(r.foreigntotal) * 100),
        remaining: Math.round(Number(r.foreignamountremaining) * 100),
      }));
      const perCurrency = new Map<string, { open: number; revenue: number; count: number }>();
      for (const i of invoices.filter((x) => x.issued)) {
        const c = perCurrency.get(i.currency) ?? { open: 0, revenue: 0, count: 0 };
        if (i.issueDate >= from && i.issueDate <= to) {
          c.revenue += i.total;
          c.count++;
        }
        c.open += i.remaining;
        perCurrency.set(i.currency, c);
      }
      const rows = [...perCurrency.values()].filter((c) => c.revenue > 0);
      const weighted = rows.reduce((s, c) => s + (c.open / c.revenue) * WINDOW_DAYS * c.count, 0) / rows.reduce((s, c) => s + c.count, 0);
      expect(rows.length, 'invoices in several currencies').toBeGreaterThan(1);
      expect(figure('dso').value).toBe(round(weighted, 1));
      expect(figure('dso').amounts).toEqual(
        sums(invoices.filter((i) => i.issued).map((i) => ({ amountMinor: i.remaining, currency: i.currency }))),
      );

      // Billable utilisation from Harvest's and Float's own APIs: billable hours with a spent date in the
      // window / the active people's (not placeholders') working hours per week × weeks in the window.
      const harvest = await fetch(`${urls.time}/v2/time_entries?from=${from}&to=${to}&per_page=2000`, { headers: HARVEST_HEADERS });
      const harvestBody = (await harvest.json()) as { time_entries: Json[]; next_page: number | null };
      expect(harvestBody.next_page, 'one page holds them all').toBeNull();
      const billableHours =
        harvestBody.time_entries.filter((e) => e.billable).reduce((s, e) => s + Math.round(Number(e.hours) * 100), 0) / 100;
      const float = await fetch(`${urls.scheduling}/v3/people?active=1&per-page=200`, {
        headers: { authorization: `Bearer ${FLOAT_TOKEN}` },
      });
      const people = ((await float.json()) as Json[]).filter((p) => p.people_type_id !== 3);
      const capacity = people.reduce((s, p) => s + (p.work_days_hours as number[]).reduce((a, h) => a + h, 0), 0);
      expect(billableHours).toBeGreaterThan(0);
      expect(figure('billable-utilisation').value).toBe(round(billableHours / (capacity * (WINDOW_DAYS / 7)), 4));

      // Forecast accuracy: the assignments the layer has seen change since it started, booked Monday to Friday,
      // against the hours recorded per engagement and week, over the weeks that ended in the window.
      const assignments = (await all('/system/scheduling/v1/assignments')).filter(
        (a) => Date.parse(a.updatedAt) >= startedAt && a.status !== 'cancelled',
      );
      const planned = new Map<string, number>();
      for (const a of assignments) {
        const days = new Map<string, number>();
        for (let t = Math.max(at(a.startDate), at(from)); t <= Math.min(at(a.endDate), at(to)); t += DAY) {
          if ([0, 6].includes(new Date(t).getUTCDay())) continue;
          days.set(monday(iso(t)), (days.get(monday(iso(t))) ?? 0) + 1);
        }
        for (const [week, n] of days) {
          const key = `${a.engagementId}|${week}`;
          planned.set(key, (planned.get(key) ?? 0) + Math.round((a.minutesPerWeek * n) / 5));
        }
      }
      const entries = await all(`/system/time/v1/time-entries?from=${from}&to=${to}`);
      const actual = new Map<string, number>();
      for (const e of entries) {
        const key = `${e.engagementId}|${monday(e.workDate)}`;
        actual.set(key, (actual.get(key) ?? 0) + hundredths(e.durationHours));
      }
      const lastWeek = iso(at(monday(to)) - 7 * DAY);
      let plannedHours = 0;
      let errorHours = 0;
      for (const [key, minutes] of planned) {
        const week = key.split('|')[1]!;
        if (week < from || week > lastWeek || minutes === 0) continue;
        plannedHours += minutes / 60;
        errorHours += Math.abs(minutes / 60 - (actual.get(key) ?? 0) / 100);
      }
      expect(plannedHours, 'the demo engagement was planned in weeks that have ended').toBeGreaterThan(0);
      expect(figure('forecast-accuracy').value).toBe(round(Math.min(1, Math.max(0, 1 - errorHours / plannedHours)), 4));

      // Unbilled work: the two days logged after billing, 6.5 h, at the demo engagement's consultant rate.
      const card = await get(`/system/erp/v1/rate-cards/${project.rateCardId}`);
      const rate = (card.rates as Json[]).find((r) => r.role === 'consultant')!.hourlyRate as Money;
      expect(figure('unbilled-work').amounts).toEqual([{ amountMinor: Math.round(6.5 * rate.amountMinor), currency: rate.currency }]);

      // Held work: what is owed on invoices with the billing-hold box ticked, and work waiting under billing holds (none here).
      const holds = await all('/process/time-to-billing/v1/billing-holds');
      expect(invoices.filter((i) => i.held).length).toBe(1);
      expect(figure('held-work').amounts).toEqual(
        sums([
          ...invoices.filter((i) => i.held).map((i) => ({ amountMinor: i.remaining, currency: i.currency })),
          ...holds.map((h) => h.waitingAmount),
        ]),
      );

      const drafts = invoices.filter((i) => i.draft);
      expect(figure('invoice-posting-backlog')).toMatchObject({
        value: drafts.length,
        amounts: sums(drafts.map((i) => ({ amountMinor: i.total, currency: i.currency }))),
      });
      expect(figure('revenue-at-risk'), 'the reconciliation journey found nothing on this story').toMatchObject({
        value: null,
        amounts: [],
        basis: expect.stringMatching(/^0 open exceptions/),
      });
      for (const f of shown.figures as Json[]) expect(f.explanation.length, `${f.name} says how it is computed`).toBeGreaterThan(40);
    }, 240_000);

    it('lists the figures over time, oldest first, one trend per currency for money', async () => {
      await layer.layers.processApis.businessFigures.compute();
      const trends = await get('/experience/operations/v1/trends?hours=1');
      const dso = (trends.items as Json[]).find((t) => t.figure === 'dso')!;
      expect(dso.unit).toBe('days');
      expect(dso.points).toHaveLength(2);
      expect(dso.points[0].at < dso.points[1].at, 'oldest first').toBe(true);
      const held = (trends.items as Json[]).filter((t) => t.figure === 'held-work');
      expect(held.every((t) => t.unit === 'money' && typeof t.currency === 'string')).toBe(true);
      expect((trends.items as Json[]).map((t) => t.figure)).toEqual(expect.arrayContaining(['open-dead-letters', 'failed-runs']));
      const only = await get('/experience/operations/v1/trends?figure=failed-runs');
      expect(only.items.map((t: Json) => t.figure)).toEqual(['failed-runs']);
      const bad = await fetch(`${layer.url}/experience/operations/v1/trends?hours=0`, { headers: auth });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });

    it('shows the last computation on the metrics endpoint', async () => {
      const res = await fetch(`${layer.url}/metrics`, { headers: auth });
      const text = await res.text();
      expect(text).toMatch(/^layer_business_dso_days \d/m);
      expect(text).toMatch(/^layer_business_unbilled_work_minor\{currency="[A-Z]{3}"\} \d+/m);
      expect(text).toMatch(/^layer_business_figures_computed_timestamp_seconds \d/m);
    });
  });
}
