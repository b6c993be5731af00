// What the billing-status journey tests share: the CRM sandbox's own SOQL (what the CRM shows,
// read on the platform), a won deal provisioned through the CRM experience API, and October's
// consulting invoice (600 minutes at £140 an hour + 20% VAT).
import { newId } from '../../../core/xref/index.js';
import type { Client } from '../../../system-apis/crm/canonical.js';
import type { Invoice } from '../../../system-apis/erp/canonical.js';
import type { SystemApis } from '../../../system-apis/index.js';
import { callJson, idempotencyKey, until } from './http.js';
import type { CrmHarness } from './provisioning-harness.js';

/** A session on the CRM sandbox as its seeded integration user (for SOQL and record calls). */
export async function crmAccessToken(crmUrl: string): Promise<string> {
  const login = await fetch(`${crmUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'sandbox-crm-client', client_secret: 'sandbox-crm-secret' }),
  });
  return ((await login.json()) as { access_token: string }).access_token;
}

/** A SOQL query on the CRM sandbox as its seeded integration user; answers the records. */
export async function crmSoql(crmUrl: string): Promise<(q: string) => Promise<Array<Record<string, unknown>>>> {
  const access_token = await crmAccessToken(crmUrl);
  return async (q) => {
    const res = await fetch(`${crmUrl}/services/data/v62.0/query?q=${encodeURIComponent(q)}`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    if (!res.ok) throw new Error(`SOQL ${q}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { records: Array<Record<string, unknown>> }).records;
  };
}

/** October's consulting, posted: £1,680.00 with VAT, due on `dueDate`. */
export function postConsultingInvoice(erp: SystemApis['erp'], engagementId: string, dueDate: string): Promise<Invoice> {
  return erp.createInvoice({
    engagementId,
    periodStart: '2026-10-01',
    periodEnd: '2026-10-31',
    issueDate: '2026-11-01',
    dueDate,
    post: true,
    lines: [
      {
        kind: 'time',
        description: 'Consulting, October',
        role: 'consultant',
        quantity: 600,
        unitPrice: { amountMinor: 14_000, currency: 'GBP' },
        taxRateBasisPoints: 2000,
        sources: [{ kind: 'time-entry', id: newId() }],
      },
    ],
  });
}

/**
 * A deal won for a GBP account of the CRM seed (£50,000 unless said, time and materials, GB entity),
 * provisioned through the CRM experience API; answers the account, the deal and its ERP project.
 */
export async function provisionWonDeal(
  h: CrmHarness,
  dealName: string,
  amountMinor = 5_000_000,
): Promise<{ client: Client; dealId: string; projectId: string }> {
  const auth = await h.headers('crm-app:write crm-app:read process:read process:write');
  const client = (await h.systemApis.crm.listClients({ limit: 200 })).items.find(
    (c) => c.billingCountry === 'GB' && c.defaultCurrency === 'GBP',
  )!;
  const deal = await h.systemApis.crm.createOpportunity({
    clientId: client.id,
    name: dealName,
    stage: 'closed-won',
    closeDate: '2026-10-01',
    amount: { amountMinor, currency: 'GBP' },
    contractTerms: {
      billingModel: 'time-and-materials',
      startDate: '2026-10-05',
      endDate: '2027-01-29',
      legalEntityCountry: 'GB',
      rateCardCode: 'RC-GB-2026',
    },
  });
  const call = (method: string, path: string) =>
    callJson<{ status?: string; project?: { id: string } }>(h.gateway.url, method, path, {
      ...auth,
      ...idempotencyKey(),
      Prefer: 'wait=20',
    });
  await call('POST', `/experience/crm/v2/opportunities/${deal.id}/project`);
  const provisioned = await until(
    () => call('GET', `/experience/crm/v2/opportunities/${deal.id}/project`),
    (r) => r.body.status === 'completed',
    'provisioning',
  );
  return { client, dealId: deal.id, projectId: provisioned.body.project!.id };
}

/** What a finance person does in ERP's UI (a UI session: records get no external id): SuiteQL and records entered by hand. */
export interface ErpByHand {
  suiteql(q: string): Promise<Array<Record<string, string>>>;
  /** Enters a record as a person would; answers its internal id. */
  enterByHand(type: string, body: unknown): Promise<string>;
}

export async function erpByHand(erpUrl: string): Promise<ErpByHand> {
  const session = (await (await fetch(`${erpUrl}/_sandbox/ui-session`, { method: 'POST' })).json()) as { access_token: string };
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${erpUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.access_token}`, 'content-type': 'application/json', prefer: 'transient' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`ERP POST ${path}: ${res.status} ${text}`);
    return { location: res.headers.get('location'), body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  return {
    suiteql: async (q) => (await call('/services/rest/query/v1/suiteql', { q })).body!.items as Array<Record<string, string>>,
    enterByHand: async (type, body) => (await call(`/services/rest/record/v1/${type}`, body)).location!.split('/').pop()!,
  };
}
