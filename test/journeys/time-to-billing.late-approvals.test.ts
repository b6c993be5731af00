// The time entry catch-up feed on each store engine, against the Harvest-shaped time sandbox and
// the NetSuite-shaped ERP sandbox: time approved after its period was billed is billed once, on a
// further invoice of that period, within one poll, counted on ERP (SuiteQL) and on the time
// system API's list; reading it twice, or the reconciliation repair running too, bills nothing
// again; work of a period not yet billed starts nothing; the cursor survives a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ChangePoller, promChangeCaptureMetrics, readCursor } from '../../core/change-capture/index.js';
import { InboxProcessor } from '../../core/inbox/index.js';
import { findCanonical, findNative } from '../../core/xref/index.js';
import {
  lateApprovalHandler,
  previousMonthStart,
  timeEntryChangeFeed,
  TIME_ENTRY_STREAM,
  type LateApprovalMetrics,
} from '../../process-apis/time-to-billing/index.js';
import type { TimeSystemApi } from '../../system-apis/time/index.js';
import { bearer } from '../gateway/support.js';
import { startOperationsGateway } from '../support/operations-gateway.js';
import { testEngines } from '../support/stores.js';
import { createBillableProject, startBillingHarness, type BillableProject, type BillingHarness } from './support/billing-harness.js';
import { harvestWeek, netsuite } from './support/billing-platforms.js';
import { until } from './support/http.js';
import { SandboxTimeWork, type SandboxEntry } from './support/time-work.js';

const NOVEMBER = { periodStart: '2026-11-01', periodEnd: '2026-11-30' };
const TODAY = '2026-12-03';

describe.each(testEngines().map((e) => [e.name, e] as const))('time-to-billing late approvals by the time feed on %s', (_name, engine) => {
  let h: BillingHarness;
  let de: BillableProject;
  let work: SandboxTimeWork;
  const entries: Record<string, SandboxEntry> = {};
  const outcomes: string[] = [];
  const metrics: LateApprovalMetrics = { polledChange: (o) => void outcomes.push(o) };
  const registry = new Registry();
  const captureMetrics = promChangeCaptureMetrics(registry);

  /** The layer's feed and inbox, as the process layer wires them (one poll at a time, on demand). */
  function feedOn() {
    const time = h.time as TimeSystemApi;
    const poller = new ChangePoller(timeEntryChangeFeed(time, { lookbackFrom: () => previousMonthStart(new Date(`${TODAY}T12:00:00Z`)) }), {
      store: h.store,
      intervalMs: 60_000,
      metrics: captureMetrics,
    });
    const handler = lateApprovalHandler({ billing: () => h.billing, metrics, today: () => TODAY, logger: pino({ level: 'silent' }) });
    const inbox = new InboxProcessor({
      store: h.store,
      onEvent: async (message, ctx) => {
        if (await handler(message, ctx)) setImmediate(() => h.engine.kick());
      },
    });
    return {
      handler,
      /** One poll, then the inbox drained: what one round of the layer does. */
      async round() {
        const outcome = await poller.pollOnce();
        await inbox.drain();
        return outcome;
      },
    };
  }

  const lateRuns = async () =>
    (await h.store.db.selectFrom('workflow_runs').select(['id', 'run_key', 'state']).where('run_key', 'like', '%:late-%').execute()).sort(
      (a, b) => a.run_key.localeCompare(b.run_key),
    );
  const settled = () =>
    until(
      () => h.store.db.selectFrom('workflow_runs').select('state').execute(),
      (runs) => runs.every((r) => ['completed', 'failed'].includes(r.state)),
      'every billing run finished',
    );
  /** ERP's invoices of the client, and how many ERP lines bill each entry, read in NetSuite. */
  async function onErp(): Promise<{ invoices: number; linesOf: (e: SandboxEntry) => Promise<number> }> {
    const ns = await netsuite(h.urls.erp);
    const customer = (await findNative(h.store.db, de.client.id, 'erp'))!;
    const invoices = await ns.suiteql<{ id: string }>(`SELECT id FROM transaction WHERE type = 'CustInvc' AND entity = '${customer}'`);
    const refs: string[] = [];
    for (const { id } of invoices)
      for (const line of (await ns.invoice(id)).item.items)
        refs.push(...(JSON.parse(line.custcol_source_refs ?? '[]') as Array<{ id: string }>).map((s) => s.id));
    return {
      invoices: invoices.length,
      async linesOf(e) {
        const canonical = await findCanonical(h.store.db, 'time', 'time-entry', String(e.nativeId));
        return refs.filter((id) => id === canonical).length;
      },
    };
  }
  /** The entries the time system API lists billed, with their invoice. */
  const billedOnTime = async () =>
    new Map(
      (await (h.time as TimeSystemApi).listTimeEntries({ engagementId: de.engagement.id, billingStatus: 'billed', limit: 200 })).items.map(
        (e) => [e.id, e.invoiceId],
      ),
    );

  beforeAll(async () => {
    h = await startBillingHarness(engine, { time: 'sandbox' });
    work = new SandboxTimeWork(h.timeSandbox!, h.store, h.urls.time!);
    de = await createBillableProject(h.erp, 'DE', 'Spaetfreigabe Werkzeug GmbH', { taxId: 'DE811224466' });
    const row = await work.linkProject(de.engagement.id, 'Spaetfreigabe Werkzeug');
    entries.onTime = work.addEntry({ projectRow: row, role: 'consultant', workDate: '2026-11-02', minutes: 420, hours: 7 });
    // Logged by people whose weeks are approved only after November is billed.
    entries.late = work.addEntry({
      projectRow: row,
      role: 'consultant',
      workDate: '2026-11-17',
      minutes: 150,
      hours: 2.5,
      approved: false,
    });
    entries.whileDown = work.addEntry({
      projectRow: row,
      role: 'analyst',
      workDate: '2026-11-24',
      minutes: 111,
      hours: 1.85,
      approved: false,
      user: 2,
    });
    // December is not billed yet: its period run bills this.
    entries.december = work.addEntry({ projectRow: row, role: 'consultant', workDate: '2026-12-01', minutes: 240, hours: 4 });
    await work.approveWeeks();
    const { run } = await h.billing.startRun({ ...NOVEMBER, engagementId: de.engagement.id }, 'api');
    expect(
      (
        await until(
          () => h.billing.getRun(run.id),
          (r) => ['succeeded', 'failed'].includes(r.status),
          'November run',
        )
      ).status,
    ).toBe('succeeded');
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await engine.cleanup();
  });

  it('starts nothing for work already billed or of a period not yet billed', { timeout: 60_000 }, async () => {
    const feed = feedOn();
    const first = await feed.round();
    expect(first.caughtUp).toBe(true);
    expect(first.recorded, 'the on-time November entry and the December one').toBe(2);
    expect(outcomes.sort()).toEqual(['already-billed', 'period-not-billed']);
    expect(await lateRuns()).toEqual([]);
    expect((await onErp()).invoices).toBe(1);
    // Read again: the same changes record nothing.
    expect((await feed.round()).recorded).toBe(0);
  });

  it(
    'bills time approved late once, on a further invoice, within one poll; read twice and repaired too',
    { timeout: 120_000 },
    async () => {
      const feed = feedOn();
      outcomes.length = 0;
      await harvestWeek(h.urls.time!, entries.late!.userId, '2026-11-17', 'submit', 'approve');
      // Reconciliation's safe repair of the same finding runs as well (its own key).
      const lateId = (await (h.time as TimeSystemApi).listTimeEntries({ engagementId: de.engagement.id, limit: 200 })).items.find(
        (e) => e.workDate === '2026-11-17',
      )!.id;
      expect((await feed.round()).recorded).toBe(1);
      expect(outcomes).toEqual(['billing']);
      await h.billing.billLeftBehind({ engagementId: de.engagement.id, ...NOVEMBER }, `left-behind-${lateId}`);
      await settled();
      const late = await lateRuns();
      expect(late.map((r) => [r.run_key, r.state])).toEqual([[`${de.engagement.id}#2026-11:late-${TODAY}`, 'completed']]);

      // The same change read twice under another key (a cursor moved back): the ledger says billed.
      const again = await h.store.db.transaction().execute((trx) =>
        feed.handler(
          {
            source: 'time-poll',
            webhookId: 'reread',
            sentAt: new Date(),
            rawBody: '',
            attempt: 1,
            payload: {
              timeEntryId: lateId,
              engagementId: de.engagement.id,
              workDate: '2026-11-17',
              approved: true,
              billable: true,
              billed: false,
              changeKey: 'reread',
            },
          },
          { trx },
        ),
      );
      expect(again, 'nothing started').toBe(false);
      expect(outcomes.at(-1)).toBe('already-billed');
      // Even a further run asked for explicitly bills nothing: the ledger bills each entry once.
      await h.billing.billLeftBehind({ engagementId: de.engagement.id, ...NOVEMBER }, `late-${TODAY}.9`);
      await settled();

      const erp = await onErp();
      expect(erp.invoices, 'November’s invoice and one further invoice').toBe(2);
      expect(await erp.linesOf(entries.late!), 'one ERP line bills the late entry').toBe(1);
      expect(await erp.linesOf(entries.onTime!)).toBe(1);
      expect(await erp.linesOf(entries.december!), 'December is not billed by the feed').toBe(0);
      const billed = await billedOnTime();
      expect(billed.get(lateId), 'the time system API lists it billed').toBeDefined();
      expect(billed.size).toBe(2);
    },
  );

  it('keeps its cursor across a restart: a change made while stopped is billed once, nothing again', { timeout: 120_000 }, async () => {
    const before = await readCursor<{ updatedSince: string; seen: string[] }>(h.store.db, TIME_ENTRY_STREAM);
    expect(before?.position.seen.length).toBeGreaterThan(0);
    // The layer is stopped; a week is approved in Harvest meanwhile.
    await harvestWeek(h.urls.time!, entries.whileDown!.userId, '2026-11-24', 'submit', 'approve');
    outcomes.length = 0;
    const restarted = feedOn();
    expect((await restarted.round()).recorded, 'only the change made while stopped').toBe(1);
    expect(outcomes).toEqual(['billing']);
    await settled();
    expect((await lateRuns()).map((r) => r.run_key)).toEqual([
      `${de.engagement.id}#2026-11:late-${TODAY}`,
      `${de.engagement.id}#2026-11:late-${TODAY}.2`,
      `${de.engagement.id}#2026-11:late-${TODAY}.9`,
    ]);
    expect((await restarted.round()).recorded).toBe(0);
    const erp = await onErp();
    expect(erp.invoices, 'a second further invoice: the first had already allocated').toBe(3);
    expect(await erp.linesOf(entries.whileDown!)).toBe(1);
    expect(await erp.linesOf(entries.late!)).toBe(1);
    expect((await billedOnTime()).size).toBe(3);
  });

  it('shows its cursor and lag in the operations API and as a metric', { timeout: 60_000 }, async () => {
    const ops = await startOperationsGateway(h.store);
    try {
      const res = await fetch(`${ops.gateway.url}/experience/operations/v1/change-feeds`, { headers: bearer(ops.tokens.read) });
      expect(res.status).toBe(200);
      const feed = ((await res.json()) as { items: Array<Record<string, unknown>> }).items.find((f) => f.stream === TIME_ENTRY_STREAM);
      expect(feed).toMatchObject({ platform: 'time', changesRecorded: 4, lagSeconds: expect.any(Number) });
      expect(feed!.position).toMatch(/^updatedSince \S+Z, seen \(\d+\)$/);
    } finally {
      await ops.close();
    }
    expect(await registry.metrics()).toMatch(/layer_change_capture_lag_seconds\{stream="time:time-entries"\} \d+/);
  });

  it('waits for a run of the period that is reading the work, then bills what it did not take', { timeout: 120_000 }, async () => {
    const feed = feedOn();
    outcomes.length = 0;
    const decemberId = (await (h.time as TimeSystemApi).listTimeEntries({ engagementId: de.engagement.id, limit: 200 })).items.find(
      (e) => e.workDate === '2026-12-01',
    )!.id;
    // December's run is allocating in another replica (its lease held far ahead, so this engine leaves it).
    const now = Date.now();
    const runId = '019c0000-0000-7000-8000-00000000dec1';
    await h.store.db
      .insertInto('workflow_runs')
      .values({
        id: runId,
        definition: 'time-to-billing',
        run_key: `${de.engagement.id}#2026-12`,
        input: JSON.stringify({ periodStart: '2026-12-01', periodEnd: '2026-12-31', engagementId: de.engagement.id, trigger: 'schedule' }),
        state: 'running',
        current_step: 'allocate-entries',
        result: null,
        error: null,
        next_attempt_ms: now,
        claimed_by: 'another-replica',
        lease_until_ms: now + 3_600_000,
        created_at_ms: now,
        updated_at_ms: now,
        finished_at_ms: null,
      })
      .execute();
    await h.store.db
      .insertInto('workflow_steps')
      .values({
        run_id: runId,
        name: 'allocate-entries',
        position: 1,
        state: 'running',
        result: null,
        errors: '[]',
        started_at_ms: now,
        finished_at_ms: null,
      })
      .execute();
    const message = {
      source: 'time-poll',
      webhookId: 'december',
      sentAt: new Date(),
      rawBody: '',
      attempt: 1,
      payload: {
        timeEntryId: decemberId,
        engagementId: de.engagement.id,
        workDate: '2026-12-01',
        approved: true,
        billable: true,
        billed: false,
        changeKey: 'december',
      },
    };
    const handle = () => h.store.db.transaction().execute((trx) => feed.handler(message, { trx }));
    await expect(handle(), 'asked again later by the inbox').rejects.toThrow(/allocating/);
    expect(
      (await lateRuns()).some((r) => r.run_key.includes('#2026-12:')),
      'nothing started meanwhile',
    ).toBe(false);
    // The run completes without the entry (it had read the work before the approval): now it is billed late.
    await h.store.db.updateTable('workflow_runs').set({ state: 'completed', finished_at_ms: Date.now() }).where('id', '=', runId).execute();
    expect(await handle()).toBe(true);
    expect(outcomes).toEqual(['billing']);
    await settled();
    expect((await lateRuns()).find((r) => r.run_key === `${de.engagement.id}#2026-12:late-${TODAY}`)?.state).toBe('completed');
    expect(await (await onErp()).linesOf(entries.december!), 'billed once').toBe(1);
  });
});
