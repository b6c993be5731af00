// What a person does to billing records in the platforms' own screens and APIs, behind the
// layer's back, and how a test reads them back there: Harvest's timesheet approvals and time
// entries, and NetSuite invoices through a person's session (REST records and SuiteQL).
import { TIME_SANDBOX_ACCOUNT_ID, TIME_SANDBOX_TOKEN } from '../../../sandboxes/time/index.js';

const HARVEST = {
  authorization: `Bearer ${TIME_SANDBOX_TOKEN}`,
  'harvest-account-id': TIME_SANDBOX_ACCOUNT_ID,
  'user-agent': 'ps-layer reconciliation test (integration@example.com)',
  'content-type': 'application/json',
};

async function ok(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Moves one person's week in Harvest's approval screens: submit, approve, reject or withdraw approval. */
export async function harvestWeek(
  timeUrl: string,
  userId: number,
  weekOf: string,
  ...actions: Array<'submit' | 'approve' | 'reject' | 'withdraw-approval'>
): Promise<void> {
  for (const action of actions) {
    const res = await fetch(`${timeUrl}/_sandbox/timesheet-approvals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: userId, week_of: weekOf, action }),
    });
    await ok(res, `${action} of week ${weekOf}`);
  }
}

/** Edits a time entry's hours through Harvest's API (refused while its week is approved). */
export async function setHarvestHours(timeUrl: string, entryId: number, hours: number): Promise<void> {
  await ok(
    await fetch(`${timeUrl}/v2/time_entries/${entryId}`, { method: 'PATCH', headers: HARVEST, body: JSON.stringify({ hours }) }),
    `PATCH time entry ${entryId}`,
  );
}

export interface NsInvoiceLine {
  rate: number;
  quantity: number;
  amount?: number;
  tax1Amt?: number;
  custcol_source_refs?: string;
  [field: string]: unknown;
}

export interface NsInvoiceRecord {
  id: string;
  tranId: string;
  total: number;
  custbody_billing_hold?: boolean;
  approvalStatus: { id: string };
  item: { items: NsInvoiceLine[] };
}

/** A NetSuite user's session (the sandbox's admin API), for what a person does in NetSuite. */
export async function netsuite(erpUrl: string) {
  const session = (await ok(await fetch(`${erpUrl}/_sandbox/ui-session`, { method: 'POST' }), 'ui-session')) as { access_token: string };
  const headers = { authorization: `Bearer ${session.access_token}`, 'content-type': 'application/json' };
  const record = `${erpUrl}/services/rest/record/v1`;
  return {
    async invoice(id: string): Promise<NsInvoiceRecord> {
      return (await ok(
        await fetch(`${record}/invoice/${id}?expandSubResources=true`, { headers }),
        `GET invoice ${id}`,
      )) as NsInvoiceRecord;
    },
    async patchInvoice(id: string, patch: Record<string, unknown>): Promise<void> {
      await ok(await fetch(`${record}/invoice/${id}`, { method: 'PATCH', headers, body: JSON.stringify(patch) }), `PATCH invoice ${id}`);
    },
    async deleteInvoice(id: string): Promise<void> {
      await ok(await fetch(`${record}/invoice/${id}`, { method: 'DELETE', headers }), `DELETE invoice ${id}`);
    },
    /** Every row of a SuiteQL query. */
    async suiteql<T>(q: string): Promise<T[]> {
      const rows: T[] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = (await ok(
          await fetch(`${erpUrl}/services/rest/query/v1/suiteql?limit=1000&offset=${offset}`, {
            method: 'POST',
            headers: { ...headers, prefer: 'transient' },
            body: JSON.stringify({ q }),
          }),
          'SuiteQL',
        )) as { items: T[]; hasMore: boolean };
        rows.push(...page.items);
        if (!page.hasMore) return rows;
      }
    },
  };
}
