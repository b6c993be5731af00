// The ERP sandbox's credit memos and customer refunds through real HTTP: a memo credits open
// invoices (amount remaining, status), a refund pays out unapplied credit, over-application is
// refused as NetSuite refuses it, both are SuiteQL transactions, and their webhooks carry the
// last-modified time SuiteQL shows, which the billing feed's keyset query pages by.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../kit/index.js';
import { erpSandbox, type ErpState } from './index.js';
import { m2mToken } from '../../test/support/netsuite-m2m.js';

let sandbox: SandboxApp<ErpState>;
let running: RunningSandbox;
let token: string;
let receiver: Server;
let received: Array<Record<string, unknown>> = [];
const R = '/services/rest/record/v1';

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${running.url}${path}`, {
    method: method as 'GET',
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary vendor JSON
  return { status: res.statusCode, location: String(res.headers.location ?? ''), body: (text ? JSON.parse(text) : undefined) as any };
}
const idOf = (answer: { location: string }) => answer.location.slice(answer.location.lastIndexOf('/') + 1);
const suiteql = async (q: string) => (await call('POST', '/services/rest/query/v1/suiteql', { q }, { prefer: 'transient' })).body;

beforeAll(async () => {
  sandbox = createSandboxApp(erpSandbox);
  running = await listen(sandbox.app);
  token = await m2mToken(running.url);
  receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      received.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
  await running.close();
});
beforeEach(() => {
  sandbox.reset('small');
  sandbox.ctx.state().tokens.set(token, { expiresAt: Date.now() + 3_600_000, scopes: ['rest_webservices'] });
  sandbox.ctx.webhooks.subscribe(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`);
  received = [];
});

/** An open invoice of 1,190.00 (1,000.00 + 19% tax) for a seeded customer. */
async function openInvoice(): Promise<{ customerId: string; invoiceId: string }> {
  const customerId = [...sandbox.ctx.state().records.customer.values()].find((c) => c.subsidiary.id === '2')!.id;
  const created = await call('POST', `${R}/invoice`, {
    entity: { id: customerId },
    item: { items: [{ item: { id: '1' }, quantity: 10, rate: 100, taxRate1: 19 }] },
  });
  expect(created.status, 'invoice created').toBe(204);
  return { customerId, invoiceId: idOf(created) };
}

describe('ERP sandbox: credit memos and refunds', () => {
  it('credits an open invoice, pays out the unapplied rest as a refund, and refuses over-application', async () => {
    const { customerId, invoiceId } = await openInvoice();
    const over = await call('POST', `${R}/creditMemo`, {
      entity: { id: customerId },
      item: { items: [{ item: { id: '4' }, quantity: 1, rate: 100 }] },
      apply: { items: [{ doc: { id: invoiceId }, apply: true, amount: 150 }] },
    });
    expect(over.status, 'more credit applied than the memo holds').toBe(400);
    expect(over.body['o:errorDetails'][0], 'a user error on the apply sublist').toMatchObject({
      'o:errorCode': 'USER_ERROR',
      'o:errorPath': 'apply',
    });

    const memo = await call('POST', `${R}/creditMemo`, {
      entity: { id: customerId },
      item: { items: [{ item: { id: '4' }, quantity: 1, rate: 100, taxRate1: 19 }] },
      apply: { items: [{ doc: { id: invoiceId }, apply: true, amount: 80 }] },
    });
    expect(memo.status).toBe(204);
    const memoId = idOf(memo);
    const read = (await call('GET', `${R}/creditMemo/${memoId}?expandSubResources=true`)).body;
    expect(read, 'the memo as NetSuite shows it').toMatchObject({
      tranId: expect.stringMatching(/^CM-\d{6}$/),
      total: 119,
      applied: 80,
      unapplied: 39,
      status: { id: 'A', refName: 'Open' },
      apply: { items: [{ doc: { id: invoiceId }, apply: true, amount: 80, due: 1190 }] },
    });
    expect((await call('GET', `${R}/invoice/${invoiceId}`)).body, 'the invoice credited').toMatchObject({
      amountRemaining: 1110,
      status: { id: 'A' },
    });

    const tooMuch = await call('POST', `${R}/customerRefund`, {
      customer: { id: customerId },
      apply: { items: [{ doc: { id: memoId }, apply: true, amount: 40 }] },
    });
    expect(tooMuch.status, 'a refund of more than the unapplied credit').toBe(400);
    const refund = await call('POST', `${R}/customerRefund`, {
      customer: { id: customerId },
      apply: { items: [{ doc: { id: memoId }, apply: true, amount: 39 }] },
    });
    expect(refund.status).toBe(204);
    const refundRead = (await call('GET', `${R}/customerRefund/${idOf(refund)}?expandSubResources=true`)).body;
    expect(refundRead).toMatchObject({ total: 39, apply: { items: [{ doc: { id: memoId }, type: 'Credit Memo', amount: 39 }] } });
    expect((await call('GET', `${R}/creditMemo/${memoId}`)).body, 'the memo is used up').toMatchObject({
      unapplied: 0,
      applied: 119,
      status: { id: 'B', refName: 'Fully Applied' },
    });
    expect((await call('GET', `${R}/invoice/${invoiceId}`)).body.amountRemaining, 'a refund changes no invoice').toBe(1110);

    const rows = await suiteql(`SELECT id, type, status, foreigntotal FROM transaction WHERE type IN ('CustCred', 'CustRfnd') ORDER BY id`);
    expect(rows.items.map((r: Record<string, string>) => [r.type, r.foreigntotal])).toEqual([
      ['CustCred', '119'],
      ['CustRfnd', '39'],
    ]);
  });

  it('sends webhooks with the last-modified time SuiteQL shows, and the feed query pages by it', async () => {
    const { customerId, invoiceId } = await openInvoice();
    await call('POST', `${R}/creditMemo`, {
      entity: { id: customerId },
      item: { items: [{ item: { id: '4' }, quantity: 1, rate: 1190 }] },
      apply: { items: [{ doc: { id: invoiceId }, apply: true, amount: 1190 }] },
    });
    await sandbox.ctx.webhooks.drain();
    const kinds = received.map((r) => `${String(r.recordType)}:${String(r.eventType)}`);
    expect(kinds, 'invoice created, credited to paid, memo created').toEqual([
      'invoice:create',
      'invoice:creditapplied',
      'creditMemo:create',
    ]);
    const credited = received[1]!;
    expect(credited, 'the invoice paid in full by credit').toMatchObject({ status: { id: 'B' }, amountRemaining: 0 });
    const [row] = (
      await suiteql(`SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified FROM transaction WHERE id = ${invoiceId}`)
    ).items;
    expect(String(credited.lastModifiedDate).replace('T', ' ').replace('Z', ''), 'webhook and SuiteQL agree on the change time').toBe(
      row.modified,
    );

    // The keyset the billing feed sends: after (t, id), with AND binding tighter than OR.
    const t = `TO_TIMESTAMP('${String(row.modified)}', 'YYYY-MM-DD HH24:MI:SS')`;
    const after = await suiteql(
      `SELECT id, type FROM transaction WHERE type IN ('CustInvc', 'CustCred') AND lastmodifieddate > ${t} ` +
        `OR type IN ('CustInvc', 'CustCred') AND lastmodifieddate = ${t} AND id > ${invoiceId} ORDER BY lastmodifieddate, id`,
    );
    const bare = await call(
      'POST',
      '/services/rest/query/v1/suiteql',
      { q: `SELECT id FROM transaction WHERE lastmodifieddate > '${String(row.modified)}'` },
      { prefer: 'transient' },
    );
    expect(bare.status, 'a timestamp compared with a bare string, as Oracle refuses it').toBe(400);
    expect(
      after.items.map((r: Record<string, string>) => r.type),
      'only what follows the invoice',
    ).toEqual(['CustCred']);
  });
});
