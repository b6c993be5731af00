// What goes wrong on the platforms after the demo, so that each of the operations team's five
// questions has a real business record to answer with: faults injected on a sandbox (ERP refusing
// a record type), and edits people make in the platforms' own screens (a scheduler changes hours,
// finance holds an invoice, someone overwrites an account's billing status by hand).
import { crmSession, erpPersonSession, schedulingHeaders, type SandboxUrls } from '../../../scripts/demo/people.js';
import { requestJson } from '../../../scripts/demo/http.js';

/** The NetSuite-shaped sandbox's record paths the layer's journeys write to. */
export const ERP_RECORDS = { projects: '/services/rest/record/v1/job', invoices: '/services/rest/record/v1/invoice' } as const;

/** ERP refuses (400, a validation refusal the journeys do not retry) every request under `path`; one path at a time. */
export async function erpRefuses(urls: SandboxUrls, path: string): Promise<void> {
  await requestJson(`${urls.erp}/_sandbox/faults`, { method: 'PUT', body: { errorRate: 1, errorStatus: 400, paths: path } });
}

export async function clearErpFaults(urls: SandboxUrls): Promise<void> {
  await requestJson(`${urls.erp}/_sandbox/faults`, { method: 'DELETE' });
}

/** The scheduler changes the hours a day of the consultant staffed on a project; the Float task's id. */
export async function changeStaffedHours(urls: SandboxUrls, projectName: string, hoursPerDay: number): Promise<string> {
  const headers = schedulingHeaders();
  const projects = await requestJson<Array<{ project_id: number; name: string }>>(`${urls.scheduling}/v3/projects?per-page=200`, {
    headers,
  });
  const project = projects.body.filter((p) => p.name === projectName).at(-1);
  if (!project) throw new Error(`No project "${projectName}" on the scheduling platform`);
  const [tasks, people] = await Promise.all([
    requestJson<Array<{ task_id: number; people_id: number }>>(
      `${urls.scheduling}/v3/tasks?project_id=${project.project_id}&per-page=200`,
      {
        headers,
      },
    ),
    requestJson<Array<{ people_id: number; people_type_id: number }>>(`${urls.scheduling}/v3/people?per-page=200`, { headers }),
  ]);
  const placeholders = new Set(people.body.filter((p) => p.people_type_id === 3).map((p) => p.people_id));
  const staffed = tasks.body.find((t) => !placeholders.has(t.people_id));
  if (!staffed) throw new Error(`Project "${projectName}" has no one staffed`);
  await requestJson(`${urls.scheduling}/v3/tasks/${staffed.task_id}`, { method: 'PATCH', headers, body: { hours: hoursPerDay } });
  return String(staffed.task_id);
}

export interface HeldInvoice {
  nativeId: string;
  number: string;
}

/**
 * Finance puts an open invoice on hold in ERP, one of another client than the invoice numbered
 * `otherClientThan`'s, whose account the test edits apart.
 */
export async function holdOpenInvoice(urls: SandboxUrls, otherClientThan: string, reason: string): Promise<HeldInvoice> {
  const headers = await erpPersonSession(urls);
  const rows = await requestJson<{
    items: Array<{ id: string; tranid: string; entity: string; foreignamountremaining: string; custbody_billing_hold: string }>;
  }>(`${urls.erp}/services/rest/query/v1/suiteql?limit=1000`, {
    method: 'POST',
    headers: { ...headers, prefer: 'transient' },
    body: {
      q: "SELECT id, tranid, entity, foreignamountremaining, custbody_billing_hold FROM transaction WHERE type = 'CustInvc'",
    },
  });
  const apart = rows.body.items.find((i) => i.tranid === otherClientThan)?.entity;
  const open = rows.body.items.find((i) => Number(i.foreignamountremaining) > 0 && i.custbody_billing_hold !== 'T' && i.entity !== apart);
  if (!open) throw new Error(`ERP has no open invoice to hold: ${JSON.stringify(rows.body.items)}`);
  await requestJson(`${urls.erp}${ERP_RECORDS.invoices}/${open.id}`, {
    method: 'PATCH',
    headers,
    body: { custbody_billing_hold: true, custbody_hold_reason: reason },
  });
  return { nativeId: open.id, number: open.tranid };
}

/** Someone in the CRM overwrites an account's billing status by hand: overdue, with `outstanding` (major units) owed. */
export async function overwriteAccountBilling(urls: SandboxUrls, sfAccountId: string, outstanding: number): Promise<void> {
  const { auth, data } = await crmSession(urls);
  await requestJson(`${data}/sobjects/Account/${sfAccountId}`, {
    method: 'PATCH',
    headers: auth,
    body: { Billing_Status__c: 'Overdue', Invoice_Status__c: 'Posted', Outstanding_Amount__c: outstanding },
  });
}
