// Counting on the platforms' own query APIs (the ERP sandbox's SuiteQL, the CRM sandbox's SOQL),
// not on the layer's tables: what the exactly-once journey tests assert against. Also the changes
// a person makes on a platform behind the layer's back (a CRM field edited, an ERP record deleted).
import { request } from 'undici';
import { expect } from 'vitest';
import { m2mToken } from '../../support/netsuite-m2m.js';

/** ERP projects named after a deal (names are unique in these tests), by SuiteQL: their internal ids. */
export async function erpProjectIds(erpUrl: string, dealName: string): Promise<string[]> {
  const res = await request(`${erpUrl}/services/rest/query/v1/suiteql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await m2mToken(erpUrl)}`, 'content-type': 'application/json', prefer: 'transient' },
    body: JSON.stringify({ q: `SELECT id FROM job WHERE companyname = '${dealName}'` }),
  });
  const body = (await res.body.json()) as { items: Array<{ id: string | number }> };
  expect(res.statusCode, JSON.stringify(body)).toBe(200);
  return body.items.map((item) => String(item.id));
}

/** ERP projects named after a deal, by SuiteQL. */
export async function erpProjectCount(erpUrl: string, dealName: string): Promise<number> {
  return (await erpProjectIds(erpUrl, dealName)).length;
}

/** Deletes an ERP record through the ERP's REST record API, as a person in ERP would. */
export async function erpDelete(erpUrl: string, type: string, id: string): Promise<void> {
  const res = await request(`${erpUrl}/services/rest/record/v1/${type}/${id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${await m2mToken(erpUrl)}` },
  });
  const text = await res.body.text();
  expect(res.statusCode, text).toBe(204);
}

/** The development client's own session on the CRM sandbox. */
async function crmToken(crmUrl: string): Promise<string> {
  const token = await request(`${crmUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'sandbox-crm-client',
      client_secret: 'sandbox-crm-secret',
    }).toString(),
  });
  const { access_token } = (await token.body.json()) as { access_token: string };
  return access_token;
}

/** A SOQL query on the CRM sandbox with the development client's own session. */
export async function crmSoql<T = Record<string, unknown>>(crmUrl: string, soql: string): Promise<{ totalSize: number; records: T[] }> {
  const res = await request(`${crmUrl}/services/data/v62.0/query?q=${encodeURIComponent(soql)}`, {
    headers: { authorization: `Bearer ${await crmToken(crmUrl)}` },
  });
  const body = (await res.body.json()) as { totalSize: number; records?: T[] };
  expect(res.statusCode, JSON.stringify(body)).toBe(200);
  return { totalSize: body.totalSize, records: body.records ?? [] };
}

/** Deals with a name prefix that the CRM shows as provisioned (an ERP project written back), by SOQL. */
export async function crmProvisionedCount(crmUrl: string, prefix: string): Promise<number> {
  return (await crmSoql(crmUrl, `SELECT COUNT() FROM Opportunity WHERE Name LIKE '${prefix}%' AND ERP_Project_Id__c != null`)).totalSize;
}

/** Updates a CRM record's fields through the CRM's REST API, as a person in the CRM would. */
export async function crmUpdate(crmUrl: string, sobject: string, id: string, fields: Record<string, unknown>): Promise<void> {
  const res = await request(`${crmUrl}/services/data/v62.0/sobjects/${sobject}/${id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${await crmToken(crmUrl)}`, 'content-type': 'application/json' },
    body: JSON.stringify(fields),
  });
  const text = await res.body.text();
  expect(res.statusCode, text).toBe(204);
}
