// What the platforms themselves hold, read through each sandbox's vendor-shaped API (as a person
// or an auditor would, never through the layer): ERP customers, projects and invoice lines by
// SuiteQL and REST records, Float projects and their tasks, Harvest projects, the CRM's
// opportunity by SOQL. The cluster test counts on it.
import { requestJson } from '../../../scripts/demo/http.js';
import type { SandboxUrls } from '../../../scripts/demo/people.js';

const SCHEDULING = { authorization: 'Bearer sandbox-scheduling-token' };
const TIME = {
  authorization: 'Bearer sandbox-time-token',
  'harvest-account-id': '100001',
  'user-agent': 'ps-layer cluster test (integration@example.com)',
};

export interface ErpInvoiceLine {
  quantity: number;
  custcol_source_refs?: string;
}
export interface ErpInvoice {
  id: string;
  job?: { id: string };
  custbody_period_start?: string;
  item: { items: ErpInvoiceLine[] };
}

/** A person's session in NetSuite (the sandbox's admin API), for reading records. */
async function erpHeaders(urls: SandboxUrls): Promise<Record<string, string>> {
  const token = await requestJson<{ access_token: string }>(`${urls.erp}/_sandbox/ui-session`, { method: 'POST' });
  return { authorization: `Bearer ${token.body.access_token}` };
}

async function suiteql<T>(urls: SandboxUrls, q: string): Promise<T[]> {
  const headers = { ...(await erpHeaders(urls)), prefer: 'transient' };
  const rows: T[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await requestJson<{ items: T[]; hasMore: boolean }>(
      `${urls.erp}/services/rest/query/v1/suiteql?limit=1000&offset=${offset}`,
      {
        method: 'POST',
        headers,
        body: { q },
      },
    );
    rows.push(...page.body.items);
    if (!page.body.hasMore) return rows;
  }
}

/** ERP customers named so: one per client, however many deals it wins. */
export async function erpCustomersNamed(urls: SandboxUrls, name: string): Promise<string[]> {
  const customers = await suiteql<{ id: string; companyname: string }>(urls, 'SELECT id, companyname FROM customer');
  return customers.filter((c) => c.companyname === name).map((c) => c.id);
}

/** ERP projects (jobs) named so: one per won deal. */
export async function erpProjectsNamed(urls: SandboxUrls, name: string): Promise<string[]> {
  const jobs = await suiteql<{ id: string; companyname: string }>(urls, 'SELECT id, companyname FROM job');
  return jobs.filter((j) => j.companyname === name).map((j) => j.id);
}

/** Ids of every invoice ERP holds now. */
export async function erpInvoiceIds(urls: SandboxUrls): Promise<string[]> {
  return (await suiteql<{ id: string }>(urls, "SELECT id FROM transaction WHERE type = 'CustInvc'")).map((r) => r.id);
}

/** ERP invoices with their lines, except those whose ids are in `except` (what was there before). */
export async function erpInvoicesSince(urls: SandboxUrls, except: ReadonlySet<string>): Promise<ErpInvoice[]> {
  const headers = await erpHeaders(urls);
  const ids = (await erpInvoiceIds(urls)).filter((id) => !except.has(id));
  const invoices: ErpInvoice[] = [];
  for (const id of ids)
    invoices.push(
      (await requestJson<ErpInvoice>(`${urls.erp}/services/rest/record/v1/invoice/${id}?expandSubResources=true`, { headers })).body,
    );
  return invoices;
}

/** How many invoice lines bill each source (time entry, expense, milestone), over the given invoices. */
export function linesPerSource(invoices: readonly ErpInvoice[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const invoice of invoices)
    for (const line of invoice.item.items)
      for (const source of JSON.parse(line.custcol_source_refs ?? '[]') as Array<{ id: string }>)
        seen.set(source.id, (seen.get(source.id) ?? 0) + 1);
  return seen;
}

/** How many invoices each (ERP project, period start) has: one, if billing ran once. */
export function invoicesPerProjectAndPeriod(invoices: readonly ErpInvoice[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const i of invoices) {
    const key = `${i.job?.id ?? '-'} ${i.custbody_period_start ?? '-'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Float projects named so, each with the tasks (allocations, open seats included) on it. */
export async function schedulingProjectsNamed(urls: SandboxUrls, name: string): Promise<Array<{ projectId: number; tasks: number }>> {
  const found: Array<{ projectId: number; tasks: number }> = [];
  for (let page = 1; ; page++) {
    const projects = await requestJson<Array<{ project_id: number; name: string }>>(
      `${urls.scheduling}/v3/projects?per-page=200&page=${page}`,
      {
        headers: SCHEDULING,
      },
    );
    for (const p of projects.body.filter((x) => x.name === name)) {
      const tasks = await requestJson<unknown[]>(`${urls.scheduling}/v3/tasks?project_id=${p.project_id}&per-page=200`, {
        headers: SCHEDULING,
      });
      found.push({ projectId: p.project_id, tasks: tasks.body.length });
    }
    if (projects.body.length < 200) return found;
  }
}

/** What the CRM shows on an opportunity about its ERP project (written back by provisioning). */
export async function crmErpProject(urls: SandboxUrls, sfOpportunityId: string): Promise<{ id: string | null; status: string | null }> {
  const token = await requestJson<{ access_token: string }>(`${urls.crm}/services/oauth2/token`, {
    method: 'POST',
    form: { grant_type: 'client_credentials', client_id: 'sandbox-crm-client', client_secret: 'sandbox-crm-secret' },
  });
  const soql = encodeURIComponent(`SELECT Id, ERP_Project_Id__c, ERP_Project_Status__c FROM Opportunity WHERE Id = '${sfOpportunityId}'`);
  const found = await requestJson<{ records: Array<{ ERP_Project_Id__c: string | null; ERP_Project_Status__c: string | null }> }>(
    `${urls.crm}/services/data/v62.0/query?q=${soql}`,
    { headers: { authorization: `Bearer ${token.body.access_token}` } },
  );
  const record = found.body.records[0];
  return { id: record?.ERP_Project_Id__c ?? null, status: record?.ERP_Project_Status__c ?? null };
}

/** Harvest projects named so. */
export async function timeProjectsNamed(urls: SandboxUrls, name: string): Promise<number> {
  const projects = await requestJson<{ projects: Array<{ name: string }> }>(`${urls.time}/v2/projects?per_page=2000`, { headers: TIME });
  return projects.body.projects.filter((p) => p.name === name).length;
}
