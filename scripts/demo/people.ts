// What people do inside the platforms during the demo, on each platform's sandbox API in its
// vendor's shape: a salesperson wins a deal in the CRM, a scheduler staffs it, a consultant
// logs time and a manager approves it, finance records the client's payment in ERP.
import { DemoError, requestJson } from './http.js';

export interface SandboxUrls {
  crm: string;
  scheduling: string;
  time: string;
  erp: string;
}

/** The sandboxes' seeded credentials (the layer's development defaults). */
const CRM_CLIENT = { id: 'sandbox-crm-client', secret: 'sandbox-crm-secret' };
const SCHEDULING_TOKEN = 'sandbox-scheduling-token';
const TIME_HEADERS = {
  authorization: 'Bearer sandbox-time-token',
  'harvest-account-id': '100001',
  'user-agent': 'ps-layer demo (integration@example.com)',
};
const SF_VERSION = 'v62.0';

export interface WonDeal {
  sfOpportunityId: string;
  sfAccountId: string;
  accountName: string;
  name: string;
}

/** A session on the CRM (Salesforce's REST API): its auth header and the data API's base URL. */
export async function crmSession(urls: SandboxUrls): Promise<{ auth: Record<string, string>; data: string }> {
  const token = await requestJson<{ access_token: string }>(`${urls.crm}/services/oauth2/token`, {
    method: 'POST',
    form: { grant_type: 'client_credentials', client_id: CRM_CLIENT.id, client_secret: CRM_CLIENT.secret },
  });
  return { auth: { authorization: `Bearer ${token.body.access_token}` }, data: `${urls.crm}/services/data/${SF_VERSION}` };
}

/** A person signed in to NetSuite, not an integration: the session comes from the sandbox's own admin API. */
export async function erpPersonSession(urls: SandboxUrls): Promise<Record<string, string>> {
  const token = await requestJson<{ access_token: string }>(`${urls.erp}/_sandbox/ui-session`, { method: 'POST' });
  return { authorization: `Bearer ${token.body.access_token}` };
}

/** The scheduling platform's (Float's) API token header. */
export const schedulingHeaders = (): Record<string, string> => ({ authorization: `Bearer ${SCHEDULING_TOKEN}` });

/** The salesperson: a new deal on the German account, closed won with complete contract terms. */
export async function winDeal(
  urls: SandboxUrls,
  terms: { name: string; startDate: string; endDate: string; amount: number },
): Promise<WonDeal> {
  const { auth, data } = await crmSession(urls);
  const soql = encodeURIComponent('SELECT Id, Name, BillingCountryCode, CurrencyIsoCode FROM Account');
  const accounts = await requestJson<{ records: Array<{ Id: string; Name: string; BillingCountryCode: string; CurrencyIsoCode: string }> }>(
    `${data}/query?q=${soql}`,
    { headers: auth },
  );
  const account = accounts.body.records.find((a) => a.BillingCountryCode === 'DE' && a.CurrencyIsoCode === 'EUR');
  if (!account) throw new DemoError('The CRM has no German account billed in EUR (is it seeded?).');
  const created = await requestJson<{ id: string }>(`${data}/sobjects/Opportunity`, {
    method: 'POST',
    headers: auth,
    body: {
      Name: terms.name,
      AccountId: account.Id,
      StageName: 'Closed Won',
      CloseDate: new Date().toISOString().slice(0, 10),
      Amount: terms.amount,
      CurrencyIsoCode: 'EUR',
      Billing_Model__c: 'Time and Materials',
      Start_Date__c: terms.startDate,
      End_Date__c: terms.endDate,
      Legal_Entity_Country__c: 'DE',
      Rate_Card__c: `RC-DE-${terms.startDate.slice(0, 4)}`,
    },
  });
  return { sfOpportunityId: created.body.id, sfAccountId: account.Id, accountName: account.Name, name: terms.name };
}

interface FloatPerson {
  people_id: number;
  name: string;
  job_title: string | null;
  people_type_id: number;
  active: number;
}
interface FloatProject {
  project_id: number;
  name: string;
}
interface FloatTask {
  task_id: number;
  people_id: number;
  project_id: number;
  status: number;
}

/** The scheduler: moves the project's open seat from the placeholder to a consultant. */
export async function assignConsultant(urls: SandboxUrls, projectName: string): Promise<{ person: string; taskId: number }> {
  const headers = schedulingHeaders();
  const projects = await requestJson<FloatProject[]>(`${urls.scheduling}/v3/projects?per-page=200`, { headers });
  const project = projects.body.filter((p) => p.name === projectName).at(-1);
  if (!project) throw new DemoError(`No project "${projectName}" on the scheduling platform.`);
  const [tasks, people] = await Promise.all([
    requestJson<FloatTask[]>(`${urls.scheduling}/v3/tasks?project_id=${project.project_id}&per-page=200`, { headers }),
    requestJson<FloatPerson[]>(`${urls.scheduling}/v3/people?active=1&per-page=200`, { headers }),
  ]);
  const byId = new Map(people.body.map((p) => [p.people_id, p]));
  const seat = tasks.body.find((t) => byId.get(t.people_id)?.people_type_id === 3);
  if (!seat) throw new DemoError(`Project "${projectName}" has no open seat on a placeholder.`);
  const consultant =
    people.body.find((p) => p.people_type_id !== 3 && /consultant/i.test(p.job_title ?? '')) ??
    people.body.find((p) => p.people_type_id !== 3);
  if (!consultant) throw new DemoError('The scheduling platform has no person to assign.');
  await requestJson(`${urls.scheduling}/v3/tasks/${seat.task_id}`, {
    method: 'PATCH',
    headers,
    body: { people_id: consultant.people_id, status: 2 },
  });
  return { person: consultant.name, taskId: seat.task_id };
}

interface HarvestEntry {
  id: number;
  user: { id: number; name: string };
  task: { id: number; name: string };
}
interface HarvestProject {
  id: number;
  name: string;
  client: { name: string };
}

/** The consultant logs two days on the project; then submits the week, and the manager approves it. */
export async function logAndApproveTime(
  urls: SandboxUrls,
  projectName: string,
  clientName: string,
  days: readonly string[],
  hoursPerDay: number,
): Promise<{ consultant: string; entryIds: number[]; hours: number }> {
  const projects = await requestJson<{ projects: HarvestProject[] }>(`${urls.time}/v2/projects?is_active=true&per_page=2000`, {
    headers: TIME_HEADERS,
  });
  const project = projects.body.projects.filter((p) => p.name === projectName && p.client.name === clientName).at(-1);
  if (!project) throw new DemoError(`No project "${projectName}" for ${clientName} on the time platform: was the Time project opened?`);
  // Who logs Consultant time, and the task for it, as the consultant picks them in the app.
  const recent = await requestJson<{ time_entries: HarvestEntry[] }>(`${urls.time}/v2/time_entries?per_page=200`, {
    headers: TIME_HEADERS,
  });
  const sample = recent.body.time_entries.find((e) => e.task.name === 'Consultant');
  if (!sample) throw new DemoError('The time platform has no consultant who logs Consultant time.');
  const entryIds: number[] = [];
  for (const day of days) {
    const entry = await requestJson<{ id: number }>(`${urls.time}/v2/time_entries`, {
      method: 'POST',
      headers: TIME_HEADERS,
      body: {
        user_id: sample.user.id,
        project_id: project.id,
        task_id: sample.task.id,
        spent_date: day,
        hours: hoursPerDay,
        notes: 'Warehouse data model workshop',
      },
    });
    entryIds.push(entry.body.id);
  }
  // Submitting and approving a week happens in Harvest's own screens (its API has no such call):
  // the sandbox's admin API stands in for the consultant and the approver.
  for (const weekOf of new Set(days.map(mondayOf))) {
    for (const action of ['submit', 'approve']) {
      await requestJson(`${urls.time}/_sandbox/timesheet-approvals`, {
        method: 'POST',
        body: { user_id: sample.user.id, week_of: weekOf, action },
      });
    }
  }
  return { consultant: sample.user.name, entryIds, hours: days.length * hoursPerDay };
}

/** Finance: the client's bank transfer for the whole invoice, applied to it in ERP, by a person signed in to NetSuite. */
export async function receivePayment(urls: SandboxUrls, invoiceNumber: string): Promise<{ amount: string }> {
  const headers = await erpPersonSession(urls);
  const found = await requestJson<{
    items: Array<{ id: string; tranid?: string; entity: string; foreignamountremaining: string; type: string }>;
  }>(`${urls.erp}/services/rest/query/v1/suiteql?limit=1000`, {
    method: 'POST',
    headers: { ...headers, prefer: 'transient' },
    body: { q: "SELECT id, tranid, type, entity, foreignamountremaining FROM transaction WHERE type = 'CustInvc'" },
  });
  const invoice = found.body.items.find((i) => i.tranid?.toUpperCase() === invoiceNumber.toUpperCase());
  if (!invoice) throw new DemoError(`ERP has no invoice ${invoiceNumber}.`);
  const amount = Number(invoice.foreignamountremaining);
  if (!(amount > 0)) throw new DemoError(`Invoice ${invoiceNumber} has nothing left to pay.`);
  await requestJson(`${urls.erp}/services/rest/record/v1/customerPayment`, {
    method: 'POST',
    headers,
    body: {
      customer: { id: invoice.entity },
      payment: amount,
      paymentMethod: { id: '1' },
      apply: { items: [{ doc: { id: invoice.id }, apply: true, amount }] },
    },
  });
  return { amount: invoice.foreignamountremaining };
}

/** The Monday of a plain date's week (weeks start on Monday, as on the time platform). */
export function mondayOf(date: string): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  const weekday = (new Date(t).getUTCDay() + 6) % 7;
  return new Date(t - weekday * 86_400_000).toISOString().slice(0, 10);
}
