// Vendor conformance: the ERP sandbox driven by netsuite-rest, a widely used NetSuite REST client,
// through its own request path. Its OAuth 1.0 (TBA) signing does not apply to the layer's login:
// the bearer token comes from NetSuite's M2M flow (a JWT client assertion), handed to the client's
// request as the Authorization header. What the client does by itself stays as it is: bodies with
// no Content-Type and `Prefer: transient` on every request with a body. Its answers lose got's
// `headers` getter, so Location is read from `rawHeaders`.
import NetsuiteRest from 'netsuite-rest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { erpSandbox, type ErpState } from '../../sandboxes/erp/index.js';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { m2mToken } from '../support/netsuite-m2m.js';

let sandbox: SandboxApp<ErpState>;
let running: RunningSandbox;
let client: NetsuiteRest;
let bearer: Record<string, string>;

interface Page {
  links: Array<{ rel: string; href: string }>;
  count: number;
  hasMore: boolean;
  offset: number;
  totalResults: number;
  items: Array<Record<string, unknown>>;
}

/** Header names (lower case) and values from got's raw header list. */
function headersOf(raw: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) headers[raw[i]!.toLowerCase()] = raw[i + 1]!;
  return headers;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- vendor JSON the test reads field by field
}

/** The client's request with the M2M bearer token; got's HTTP errors are answered, not thrown. */
async function call(path: string, method = 'GET', body?: unknown): Promise<Answer> {
  try {
    const res = await client.request({ path, method, ...(body === undefined ? {} : { body: JSON.stringify(body) }), heads: bearer });
    return { status: res.statusCode, headers: headersOf(res.rawHeaders), data: res.data };
  } catch (err) {
    const response = (err as { response?: { statusCode: number; rawHeaders: string[]; body: string } }).response;
    if (!response) throw err;
    return {
      status: response.statusCode,
      headers: headersOf(response.rawHeaders),
      data: response.body ? JSON.parse(response.body) : undefined,
    };
  }
}

const suiteql = (q: string, limit: number, offset: number) => call(`query/v1/suiteql?limit=${limit}&offset=${offset}`, 'POST', { q });

beforeAll(async () => {
  sandbox = createSandboxApp(erpSandbox);
  running = await listen(sandbox.app);
  // The TBA credentials are required by the constructor and unused: the bearer header replaces its signature.
  client = new NetsuiteRest({
    consumer_key: 'unused',
    consumer_secret_key: 'unused',
    token: 'unused',
    token_secret: 'unused',
    realm: 'TSTDRV100001',
    base_url: running.url,
  });
});
afterAll(() => running.close());
beforeEach(async () => {
  sandbox.reset('small');
  bearer = { Authorization: `Bearer ${await m2mToken(running.url)}` };
});

describe('netsuite-rest against the ERP sandbox', () => {
  it('runs a SuiteQL query sent without Content-Type and pages it by the next links', async () => {
    const all = await suiteql('SELECT id, companyname FROM customer ORDER BY id', 1000, 0);
    expect(all.status).toBe(200);
    const total = (all.data as Page).totalResults;
    expect(total).toBeGreaterThan(4);
    const seen: string[] = [];
    let page = (await suiteql('SELECT id, companyname FROM customer ORDER BY id', 3, 0)).data as Page;
    for (;;) {
      seen.push(...page.items.map((row) => String(row.id)));
      expect(page.count).toBe(page.items.length);
      const next = page.links.find((l) => l.rel === 'next');
      expect(Boolean(next)).toBe(page.hasMore);
      if (!next) break;
      const url = new URL(next.href);
      page = (
        await suiteql(
          'SELECT id, companyname FROM customer ORDER BY id',
          Number(url.searchParams.get('limit')),
          Number(url.searchParams.get('offset')),
        )
      ).data as Page;
    }
    expect(seen).toEqual((all.data as Page).items.map((row) => String(row.id)));
    expect(new Set(seen).size).toBe(total);
  });

  it('gets a record, creates one (204 and Location) and reads it back', async () => {
    const customer = await call('record/v1/customer/101');
    expect(customer.status).toBe(200);
    expect(customer.data).toMatchObject({ id: '101', links: [{ rel: 'self' }] });
    const created = await call('record/v1/customer', 'POST', { companyName: 'Vandelay Industries', subsidiary: { id: '1' } });
    expect(created.status).toBe(204);
    const location = String(created.headers.location);
    expect(location).toMatch(/\/services\/rest\/record\/v1\/customer\/\d+$/);
    const id = location.slice(location.lastIndexOf('/') + 1);
    expect((await call(`record/v1/customer/${id}`)).data).toMatchObject({ id, companyName: 'Vandelay Industries' });
  });

  it('approves an invoice by a PATCH of its approval status; there is no approve action', async () => {
    const customerId = [...sandbox.ctx.state().records.customer.values()][0]!.id;
    const created = await call('record/v1/invoice', 'POST', {
      entity: { id: customerId },
      approvalStatus: { id: '1' },
      item: { items: [{ item: { id: '1' }, quantity: 2, rate: 150 }] },
    });
    expect(created.status).toBe(204);
    const id = String(created.headers.location).split('/').pop()!;
    expect((await call(`record/v1/invoice/${id}`)).data).toMatchObject({ status: { id: 'D' }, approvalStatus: { id: '1' } });
    expect((await call(`record/v1/invoice/${id}/!approve`, 'POST', {})).status).toBe(404);
    expect((await call(`record/v1/invoice/${id}`, 'PATCH', { approvalStatus: { id: '2' } })).status).toBe(204);
    expect((await call(`record/v1/invoice/${id}`)).data).toMatchObject({
      status: { id: 'A', refName: 'Open' },
      approvalStatus: { id: '2', refName: 'Approved' },
    });
    const back = await call(`record/v1/invoice/${id}`, 'PATCH', { approvalStatus: { id: '1' } });
    expect(back.status).toBe(400);
    expect(back.data['o:errorDetails'][0]).toMatchObject({ 'o:errorCode': 'USER_ERROR', 'o:errorPath': 'approvalStatus' });
  });

  it('answers the client’s own OAuth 1.0 signature alone as a failed login (the sandbox speaks only M2M)', async () => {
    bearer = {};
    const res = await call('record/v1/customer/101');
    expect(res.status).toBe(401);
    expect(res.data['o:errorDetails'][0]['o:errorCode']).toBe('INVALID_LOGIN');
  });
});
