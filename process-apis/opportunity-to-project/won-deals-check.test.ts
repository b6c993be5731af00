// The won-deals comparison on both engines with stand-in system APIs: which deal states are
// findings and which are not (under way, failed, shown by the CRM, just changed), the newest run
// generation counting, every page of won deals read and counted, and ERP asked only for the
// projects the layer made.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemError } from '../../core/problems.js';
import type { Store } from '../../core/store/index.js';
import type { RunState } from '../../core/workflows/schema.js';
import { newId } from '../../core/xref/index.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { insertRun } from '../../test/support/workflow-runs.js';
import type { Opportunity } from '../../system-apis/crm/canonical.js';
import type { Engagement } from '../../system-apis/erp/canonical.js';
import { wonDealFindings } from './won-deals-check.js';
import { PROVISION_WORKFLOW } from './workflow.js';

const NOW = new Date('2026-12-03T10:00:00Z');

function deal(name: string, overrides: Partial<Opportunity> = {}): Opportunity {
  return {
    id: newId(),
    clientId: newId(),
    name,
    stage: 'closed-won',
    stageLabel: 'Closed Won',
    isClosed: true,
    isWon: true,
    amount: { amountMinor: 1_500_000, currency: 'EUR' },
    closeDate: '2026-11-20',
    probability: 100,
    contractTerms: { billingModel: 'time-and-materials', startDate: null, endDate: null, legalEntityCountry: 'DE', rateCardCode: null },
    erpProject: null,
    billing: { status: null, invoiceStatus: null },
    createdAt: '2026-11-01T09:00:00Z',
    updatedAt: '2026-11-20T09:00:00Z',
    ...overrides,
  } as Opportunity;
}

describe.each(testEngines())('won deals compared with ERP projects on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await migratedStore(engine);
  });
  afterAll(async () => {
    await store.close();
    await engine.cleanup();
  });

  async function run(runKey: string, state: RunState, project?: { engagementId: string; code: string }, outcome?: 'refused') {
    const now = Date.now();
    const id = await insertRun(store.db, {
      definition: PROVISION_WORKFLOW,
      runKey,
      input: { opportunityId: runKey.split('#')[0], trigger: 'event' },
      state,
      currentStep: null,
      createdAt: now,
      updatedAt: now,
      finishedAt: state === 'completed' ? now : null,
      ...(outcome ? { outcome, outcomeReason: '/rateCardCode: no rate card' } : {}),
    });
    if (project)
      await store.db
        .insertInto('workflow_steps')
        .values({
          run_id: id,
          name: 'create-project',
          position: 3,
          state: 'completed',
          errors: '[]',
          result: JSON.stringify({ ...project, name: 'Project' }),
          started_at_ms: now,
          finished_at_ms: now,
        })
        .execute();
    return id;
  }

  it('finds only the deals that are won and unprovisioned, refused, lost in ERP or not shown on the CRM', async () => {
    const lostProject = newId();
    const keptProject = newId();
    const deals = {
      none: deal('Never started'),
      justWon: deal('Won a minute ago', { updatedAt: new Date(NOW.getTime() - 60_000).toISOString() }),
      shownByCrm: deal('Provisioned by hand', { erpProject: { projectId: 'PRJ-HAND', status: 'provisioned' } }),
      underWay: deal('Under way'),
      failed: deal('Failed'),
      refused: deal('Refused'),
      lost: deal('Lost in ERP', { erpProject: { projectId: 'PRJ-LOST', status: 'provisioned' } }),
      unlinked: deal('Not shown on the CRM'),
      fine: deal('Fine', { erpProject: { projectId: 'PRJ-KEPT', status: 'provisioned' } }),
    };
    await run(deals.underWay.id, 'waiting');
    await run(deals.failed.id, 'failed');
    await run(deals.refused.id, 'completed', undefined, 'refused');
    // An old generation refused, the newest provisioned: only the newest counts.
    await run(deals.fine.id, 'completed', undefined, 'refused');
    await run(`${deals.fine.id}#2`, 'completed', { engagementId: keptProject, code: 'PRJ-KEPT' });
    await run(deals.lost.id, 'completed', { engagementId: lostProject, code: 'PRJ-LOST' });
    await run(deals.unlinked.id, 'completed', { engagementId: keptProject, code: 'PRJ-KEPT' });

    const all = Object.values(deals);
    const asked: string[] = [];
    const pages: Array<{ updatedSince?: string; stage?: string }> = [];
    const crm: Record<string, unknown> = {
      async listOpportunities(query: { cursor?: string; updatedSince?: string; stage?: string }) {
        pages.push(query);
        const start = Number(query.cursor ?? 0);
        const next = start + 4 < all.length ? String(start + 4) : null;
        return { items: all.slice(start, start + 4), nextCursor: next };
      },
    };
    // The system APIs name records: the CRM knows every deal but "Never started", ERP the lost project.
    const linked: Array<[string, readonly string[]]> = [];
    const linksOf =
      (system: string, known: (id: string) => string | undefined, page: (id: string) => string | null) =>
      async (entity: string, ids: readonly string[]) => {
        linked.push([`${system}:${entity}`, ids]);
        return new Map(ids.flatMap((id) => (known(id) ? [[id, { nativeId: known(id)!, url: page(known(id)!) }] as const] : [])));
      };
    crm.recordLinks = linksOf(
      'crm',
      (id) => (id === deals.none.id ? undefined : `006${id.slice(-12)}`),
      (n) => `https://crm.example/${n}`,
    );
    const erp = {
      async getProject(id: string): Promise<Engagement> {
        asked.push(id);
        if (id === lostProject) throw new ProblemError('not-found', { detail: 'gone' });
        return { id, code: 'PRJ-KEPT' } as Engagement;
      },
      recordLinks: linksOf(
        'erp',
        (id) => (id === lostProject ? '4242' : undefined),
        () => null,
      ),
    };
    let compared = 0;
    const findings = await wonDealFindings(
      { db: store.db, crm: crm as never, erp },
      { windowDays: 30, settleMs: 130_000 },
      { now: NOW, compared: (n) => (compared += n), signal: new AbortController().signal },
    );

    expect(pages.length, 'every page read').toBe(3);
    expect(pages[0], 'won deals changed within the window').toMatchObject({
      stage: 'closed-won',
      updatedSince: '2026-11-03T10:00:00.000Z',
    });
    expect(compared, 'every deal counted').toBe(all.length);
    expect(asked.sort(), 'ERP asked only for the projects the layer made').toEqual([keptProject, keptProject, lostProject].sort());
    expect(
      findings.map((f) => [f.records[0]!.label, f.type]),
      'one finding per mismatched deal',
    ).toEqual([
      ['Never started', 'won-deal-without-project'],
      ['Refused', 'won-deal-refused'],
      ['Lost in ERP', 'erp-project-missing'],
      ['Not shown on the CRM', 'crm-project-link-missing'],
    ]);
    const byType = new Map(findings.map((f) => [f.type, f]));
    expect(byType.get('won-deal-without-project'), 'since the close date, the amount at risk').toMatchObject({
      since: new Date('2026-11-20T00:00:00Z'),
      moneyAtRisk: { amountMinor: 1_500_000, currency: 'EUR' },
    });
    expect(byType.get('won-deal-refused')!.detail, 'the reason').toContain('no rate card');
    expect(byType.get('erp-project-missing')!.records[1], "the lost project, by ERP's own id").toMatchObject({
      platform: 'erp',
      id: '4242',
      canonicalId: lostProject,
      url: null,
    });
    expect(byType.get('erp-project-missing')!.records[0], "the deal by the CRM's id, with its page").toMatchObject({
      id: `006${deals.lost.id.slice(-12)}`,
      url: `https://crm.example/006${deals.lost.id.slice(-12)}`,
    });
    expect(byType.get('won-deal-without-project')!.records[0], 'a deal the CRM does not name keeps its canonical id').toMatchObject({
      id: deals.none.id,
      canonicalId: deals.none.id,
      url: null,
    });
    expect(
      linked.map(([what]) => what).sort(),
      'one bulk call per platform and record type for each page of deals (none to ERP for the page without a project)',
    ).toEqual(['crm:opportunity', 'crm:opportunity', 'crm:opportunity', 'erp:engagement', 'erp:engagement']);
    expect(byType.get('crm-project-link-missing')!.key, 'the deal, what the CRM shows and what ERP holds').toBe(
      `${deals.unlinked.id}:none:PRJ-KEPT`,
    );
  });

  it('fails the check, not the deal, when ERP answers with an error other than 404', async () => {
    const d = deal('ERP down');
    await run(d.id, 'completed', { engagementId: newId(), code: 'PRJ-X' });
    const crm = { listOpportunities: async () => ({ items: [d], nextCursor: null }) };
    const erp = {
      getProject: async (): Promise<Engagement> => {
        throw new ProblemError('upstream-unavailable', { detail: 'ERP answered 503' });
      },
      recordLinks: async () => new Map(),
    };
    await expect(
      wonDealFindings(
        { db: store.db, crm: crm as never, erp },
        { windowDays: 30, settleMs: 0 },
        { now: NOW, compared: () => {}, signal: new AbortController().signal },
      ),
    ).rejects.toThrow(/503/);
  });
});
