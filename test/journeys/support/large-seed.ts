// Brings the four sandboxes to their `large` seed and the layer in step with them the way
// production does: deals won on the CRM (provisioned by the journey from the CRM's change events),
// time logged and approved in Harvest on the projects provisioning opened, November billed by the
// billing journey, billing status brought to the CRM by its journey. Nothing writes the layer's tables.
import { TIME_SANDBOX_ACCOUNT_ID, TIME_SANDBOX_TOKEN } from '../../../sandboxes/time/index.js';
import { findNative } from '../../../core/xref/index.js';
import { crmAccessToken, crmSoql } from './billing-fixtures.js';
import { until } from './http.js';
import type { CrmHarness } from './provisioning-harness.js';

const PLATFORMS = ['crm', 'scheduling', 'time', 'erp'] as const;
/** Countries whose legal entity and rate card the ERP seed holds: deals the layer can provision (JP deals name RC-JP-2026, which ERP lacks). */
const PROVISIONABLE = new Set(['DE', 'GB', 'US']);
const ROLES = ['Analyst', 'Consultant', 'Senior Consultant', 'Manager'];
export const NOVEMBER = { periodStart: '2026-11-01', periodEnd: '2026-11-30' };
/** November's Mondays: each person's week is approved on the Monday's week. */
const WEEKS = ['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23'];

export interface LargeSeedFlow {
  /** Deals won on the CRM and provisioned by the journey (the ERP projects they opened). */
  engagements: string[];
  /** Time entries logged and approved in Harvest on those projects. */
  entries: number;
}

async function sandboxAdmin(base: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${base}/_sandbox${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox admin POST ${path}: ${res.status} ${await res.text()}`);
}

/** Every sandbox back to its `large` seed through its admin API (state only: webhook subscriptions stay). */
export async function resetToLargeSeed(h: CrmHarness): Promise<void> {
  for (const platform of PLATFORMS) await sandboxAdmin(h.sandboxUrls[platform]!, '/reset', { seed: 'large' });
}

/** Waits until no run of the given workflows is still open. */
export function settled(h: CrmHarness, definitions: string[], what: string, timeoutMs = 120_000): Promise<unknown> {
  return until(
    () =>
      h.store.db
        .selectFrom('workflow_runs')
        .select('id')
        .where('definition', 'in', definitions)
        .where('state', 'not in', ['completed', 'failed'])
        .execute(),
    (open) => open.length === 0,
    what,
    timeoutMs,
  );
}

async function harvest(timeUrl: string, method: string, path: string, body?: unknown): Promise<unknown> {
  for (;;) {
    const res = await fetch(`${timeUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TIME_SANDBOX_TOKEN}`,
        'harvest-account-id': TIME_SANDBOX_ACCOUNT_ID,
        'user-agent': 'large-seed test (ops@example.com)',
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // Harvest allows 100 requests in 15 s and says when to come back.
    if (res.status === 429) {
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? '1')));
      continue;
    }
    if (!res.ok) throw new Error(`Harvest ${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  }
}

/**
 * Wins `deals` of the CRM seed's open time-and-materials deals (in countries the ERP seed can bill),
 * as a salesperson does on the CRM, and waits for the journey to provision each one.
 */
export async function winDeals(h: CrmHarness, deals: number): Promise<string[]> {
  const crm = h.sandboxUrls.crm!;
  const soql = await crmSoql(crm);
  const token = await crmAccessToken(crm);
  const open = (
    await soql("SELECT Id, StageName, Legal_Entity_Country__c, Rate_Card__c FROM Opportunity WHERE Billing_Model__c = 'Time and Materials'")
  ).filter(
    (o) =>
      !String(o.StageName).startsWith('Closed') &&
      PROVISIONABLE.has(String(o.Legal_Entity_Country__c)) &&
      o.Rate_Card__c === `RC-${String(o.Legal_Entity_Country__c)}-2026`,
  );
  if (open.length < deals) throw new Error(`the CRM seed has ${open.length} open time-and-materials deals, ${deals} asked`);
  for (const o of open.slice(0, deals)) {
    const res = await fetch(`${crm}/services/data/v62.0/sobjects/Opportunity/${String(o.Id)}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ StageName: 'Closed Won' }),
    });
    if (res.status !== 204) throw new Error(`winning ${String(o.Id)}: ${res.status} ${await res.text()}`);
  }
  const runs = await until(
    () =>
      h.store.db
        .selectFrom('workflow_runs')
        .select(['state', 'error', 'outcome', 'outcome_reason'])
        .where('definition', '=', 'opportunity-to-project')
        .execute(),
    (rows) => rows.length >= deals && rows.every((r) => r.state === 'completed' || r.state === 'failed'),
    `the ${deals} won deals to be provisioned`,
    180_000,
  );
  const failed = runs.filter((r) => r.state === 'failed');
  if (failed.length) throw new Error(`${failed.length} provisioning runs failed, e.g. ${failed[0]!.error}`);
  // The ERP project each run opened, as its create-project step recorded it.
  const steps = await h.store.db
    .selectFrom('workflow_steps')
    .innerJoin('workflow_runs', 'workflow_runs.id', 'workflow_steps.run_id')
    .select('workflow_steps.result')
    .where('workflow_runs.definition', '=', 'opportunity-to-project')
    .where('workflow_steps.name', '=', 'create-project')
    .execute();
  const engagements = steps.map((s) => (JSON.parse(s.result ?? '{}') as { engagementId?: string }).engagementId);
  if (engagements.length !== deals || engagements.some((e) => !e))
    throw new Error(
      `the provisioning runs name ${engagements.filter(Boolean).length} engagements, ${deals} expected: ${runs.map((r) => `${r.outcome} ${r.outcome_reason}`).join('; ')}`,
    );
  return engagements as string[];
}

/** Logs `perWeek` entries a week of November on each engagement's Harvest project, and approves the weeks. */
export async function logAndApproveNovember(h: CrmHarness, engagements: string[], perWeek: number): Promise<number> {
  const time = h.sandboxUrls.time!;
  // Harvest's people and tasks as its own entries name them (the sandbox serves no /v2/users or /v2/tasks).
  const { time_entries: seen } = (await harvest(time, 'GET', '/v2/time_entries?per_page=2000')) as {
    time_entries: Array<{ user: { id: number }; task: { id: number; name: string } }>;
  };
  const users = [...new Set(seen.map((e) => e.user.id))].sort((a, b) => a - b);
  const tasks = new Map(seen.map((e) => [e.task.name, e.task.id]));
  const weeks = new Set<string>();
  let logged = 0;
  for (const [e, engagementId] of engagements.entries()) {
    const project = await findNative(h.store.db, engagementId, 'time');
    if (!project) throw new Error(`engagement ${engagementId} has no Harvest project`);
    for (const [w, monday] of WEEKS.entries()) {
      for (let k = 0; k < perWeek; k++) {
        const user = users[(e * 7 + k) % users.length]!;
        const task = tasks.get(ROLES[(e + w + k) % ROLES.length]!)!;
        const day = new Date(Date.parse(`${monday}T00:00:00Z`) + (k % 5) * 86_400_000).toISOString().slice(0, 10);
        // Hours in hundredths as people log them: 1.25 h to 7.92 h.
        const hours = (125 + ((e * 131 + w * 37 + k * 53) % 668)) / 100;
        await harvest(time, 'POST', '/v2/time_entries', {
          user_id: user,
          project_id: Number(project),
          task_id: task,
          spent_date: day,
          hours,
          notes: 'Delivery work',
        });
        weeks.add(`${user} ${monday}`);
        logged += 1;
      }
    }
  }
  for (const week of weeks) {
    const [userId, weekOf] = week.split(' ');
    for (const action of ['submit', 'approve'])
      await sandboxAdmin(time, '/timesheet-approvals', { user_id: Number(userId), week_of: weekOf, action });
  }
  return logged;
}
