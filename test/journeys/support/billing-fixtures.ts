// What the billing-status journey tests share: the CRM sandbox's own SOQL (what the CRM shows,
// read on the platform) and October's consulting invoice (600 minutes at £140 an hour + 20% VAT).
import { newId } from '../../../core/xref/index.js';
import type { Invoice } from '../../../system-apis/erp/canonical.js';
import type { SystemApis } from '../../../system-apis/index.js';

/** A SOQL query on the CRM sandbox as its seeded integration user; answers the records. */
export async function crmSoql(crmUrl: string): Promise<(q: string) => Promise<Array<Record<string, unknown>>>> {
  const login = await fetch(`${crmUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'sandbox-crm-client', client_secret: 'sandbox-crm-secret' }),
  });
  const { access_token } = (await login.json()) as { access_token: string };
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
