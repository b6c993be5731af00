// The CRM connector against the CRM sandbox over real HTTP, including injected faults.
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { crmSandbox, READY_TO_CLOSE_NAME, type CrmState } from '../../sandboxes/crm/index.js';
import { ProblemError } from '../../core/problems.js';
import { recordId } from '../../sandboxes/crm/ids.js';
import { CrmConnector, soqlString, type CrmConnectorOptions } from './connector.js';
import type { SfAccount, SfContact, SfOpportunity } from './vendor-types.js';

const SECRET = 'sandbox-crm-secret';
let sandbox: SandboxApp<CrmState>;
let running: RunningSandbox;
const connectors: CrmConnector[] = [];
const logLines: string[] = [];

function connector(overrides: Partial<CrmConnectorOptions> = {}): CrmConnector {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const c = new CrmConnector({
    baseUrl: running.url,
    apiVersion: 'v62.0',
    clientId: 'sandbox-crm-client',
    clientSecret: SECRET,
    timeoutMs: 2_000,
    logger: pino({ level: 'debug' }, sink),
    backoff: { baseMs: 5, capMs: 20 },
    ...overrides,
  });
  connectors.push(c);
  return c;
}

async function failure(p: Promise<unknown>): Promise<ProblemError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ProblemError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sandbox = createSandboxApp(crmSandbox);
  running = await listen(sandbox.app);
});
afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await running.close();
});
beforeEach(() => sandbox.reset('small'));
afterEach(() => sandbox.ctx.faults.clear());

describe('CRM connector: vendor calls', () => {
  it('authenticates, creates, reads, updates, upserts and deletes', async () => {
    const crm = connector();
    const id = await crm.create('Account', { Name: 'Kestrel Analytics Ltd', Website: 'kestrel.co.uk' });
    expect((await crm.get<SfAccount>('Account', id))?.Name).toBe('Kestrel Analytics Ltd');
    await crm.update('Account', id, { Tax_Id__c: 'GB999999973' });
    expect((await crm.get<SfAccount>('Account', id, ['Tax_Id__c']))?.Tax_Id__c).toBe('GB999999973');
    const created = await crm.upsert('Contact', 'External_Id__c', 'ext-1', { LastName: 'Moss', AccountId: id });
    expect(created.created).toBe(true);
    const again = await crm.upsert('Contact', 'External_Id__c', 'ext-1', { Title: 'CTO' });
    expect(again).toEqual({ id: created.id, created: false });
    expect((await crm.getByExternalId<SfContact>('Contact', 'External_Id__c', 'ext-1'))?.Title).toBe('CTO');
    await crm.delete('Account', id);
    expect(await crm.get('Account', id)).toBeUndefined();
    expect(crm.usage()?.used).toBeGreaterThan(0);
  });

  it('follows nextRecordsUrl until done when asked for everything', async () => {
    const crm = connector();
    sandbox.ctx.state().smallQueryBatches = true; // batches below Salesforce's 200, to page the small seed
    const first = await crm.query<SfContact>('SELECT Id FROM Contact ORDER BY Id', 3);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(3);
    const all = await crm.queryAll<SfContact>('SELECT Id, LastName FROM Contact');
    expect(all).toHaveLength(first.totalSize);
    expect(new Set(all.map((c) => c.Id)).size).toBe(all.length);
  });

  it('writes batches through sObject collections, 200 records a call, each record with its own result', async () => {
    const crm = connector();
    const usage = () => sandbox.ctx.state().apiUsage.used;
    const contacts: Array<{ type: 'Contact'; fields: Record<string, unknown> }> = Array.from({ length: 450 }, (_, i) => ({
      type: 'Contact',
      fields: { LastName: `Batch ${i}` },
    }));
    contacts[201] = { type: 'Contact', fields: { FirstName: 'No last name' } };
    let before = usage();
    const created = await crm.createMany(contacts);
    expect(usage() - before).toBe(3);
    expect(created).toHaveLength(450);
    expect(created.filter((r) => r.success)).toHaveLength(449);
    expect(created[201]).toEqual({
      success: false,
      errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'] }],
    });
    const ids = created.flatMap((r) => (r.success && r.id ? [r.id] : []));

    before = usage();
    const updated = await crm.updateMany(ids.map((id) => ({ type: 'Contact' as const, id, fields: { Title: 'Analyst' } })));
    expect(usage() - before).toBe(3);
    expect(updated.every((r) => r.success)).toBe(true);
    const titles = await crm.queryAll<SfContact>("SELECT Id FROM Contact WHERE Title = 'Analyst'");
    expect(titles).toHaveLength(449);

    // allOrNone rolls back the call that failed, and only that call.
    const allOrNone = await crm.createMany(
      [
        { type: 'Account', fields: { Name: 'Rolled back' } },
        { type: 'Account', fields: { Website: 'no-name.example' } },
      ],
      { allOrNone: true },
    );
    expect(allOrNone.map((r) => r.errors[0]?.statusCode)).toEqual(['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'REQUIRED_FIELD_MISSING']);
    expect(await crm.queryAll("SELECT Id FROM Account WHERE Name = 'Rolled back'")).toEqual([]);

    const upserted = await crm.upsertMany('Account', 'External_Id__c', [
      { External_Id__c: 'batch-1', Name: 'Batch One' },
      { External_Id__c: 'batch-1', Name: 'Batch One again' },
    ]);
    expect(upserted.map((r) => [r.success, r.created])).toEqual([
      [true, true],
      [true, false],
    ]);

    before = usage();
    const deleted = await crm.deleteMany(ids);
    expect(usage() - before).toBe(3);
    expect(deleted.every((r) => r.success)).toBe(true);
    expect((await crm.query('SELECT COUNT() FROM Contact')).totalSize).toBe(10);
  });

  it('escapes SOQL literals so values cannot change a query', async () => {
    const crm = connector();
    await crm.create('Account', { Name: "O'Brien & Sons" });
    const rows = await crm.queryAll<SfAccount>(`SELECT Id, Name FROM Account WHERE Name = ${soqlString("O'Brien & Sons")}`);
    expect(rows.map((r) => r.Name)).toEqual(["O'Brien & Sons"]);
    expect(await crm.queryAll(`SELECT Id FROM Account WHERE Name = ${soqlString("x' AND Name != 'y")}`)).toEqual([]);
  });

  it('fetches a new token when the session was revoked', async () => {
    const crm = connector();
    await crm.query('SELECT Id FROM Account');
    sandbox.ctx.state().tokens.clear();
    const page = await crm.query('SELECT Id FROM Account');
    expect(page.totalSize).toBe(5);
  });

  it('maps refused data to 422 with the vendor message, and a missing record to undefined / 404', async () => {
    const crm = connector();
    const err = await failure(crm.create('Opportunity', { Name: 'No stage' }));
    expect(err.status).toBe(422);
    expect(err.detail).toMatch(/REQUIRED_FIELD_MISSING/);
    expect(err.errors?.map((e) => e.pointer)).toEqual(['/stage', '/closeDate']);
    expect(await crm.get('Opportunity', recordId('Opportunity', 9999))).toBeUndefined();
    expect((await failure(crm.update('Opportunity', 'not-an-id', {}))).status).toBe(404);
  });

  it('maps a used-up API allowance (403 REQUEST_LIMIT_EXCEEDED) to 503', async () => {
    const crm = connector();
    sandbox.ctx.state().apiUsage.max = 0;
    const err = await failure(crm.query('SELECT Id FROM Account'));
    expect(err.status).toBe(503);
    expect(err.headers['Retry-After']).toBeDefined();
  });
});

describe('CRM connector: unsafe consumption and faults', () => {
  it('retries a 5xx on a read and then answers 502 upstream-error', async () => {
    const crm = connector();
    await crm.query('SELECT Id FROM Account'); // token first, so only data calls fail
    sandbox.ctx.faults.set({ errorRate: 1, errorStatus: 500, paths: '/services/data' });
    const err = await failure(crm.query('SELECT Id FROM Account'));
    expect(err.status).toBe(502);
    expect(err.extensions.platform).toBe('crm');
  });

  it('does not retry a create that got a 5xx', async () => {
    const crm = connector();
    await crm.query('SELECT Id FROM Account');
    const before = sandbox.ctx.state().apiUsage.used;
    logLines.length = 0;
    sandbox.ctx.faults.set({ errorRate: 1, errorStatus: 500, paths: '/services/data' });
    expect((await failure(crm.create('Account', { Name: 'Once' }))).status).toBe(502);
    sandbox.ctx.faults.clear();
    const logged = logLines.filter((l) => l.includes('retrying upstream call') && l.includes('"status":500'));
    expect(logged).toHaveLength(0);
    expect(sandbox.ctx.state().apiUsage.used).toBe(before); // the fault answered; the org saw nothing
  });

  it('honours 429 Retry-After and then succeeds', async () => {
    const crm = connector();
    await crm.query('SELECT Id FROM Account');
    logLines.length = 0;
    sandbox.ctx.faults.set({ rateLimitBurst: { remaining: 0, retryAfterSeconds: 1 }, paths: '/services/data' });
    const page = await crm.query('SELECT Id FROM Account');
    expect(page.totalSize).toBe(5);
    const retry = logLines
      .map((l) => JSON.parse(l) as { msg: string; status?: number; waitMs?: number })
      .find((l) => l.msg === 'retrying upstream call');
    expect(retry).toMatchObject({ status: 429, waitMs: 1000 });
  });

  it('answers an outage with 503', async () => {
    const crm = connector();
    sandbox.ctx.faults.set({ outageUntil: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await failure(crm.query('SELECT Id FROM Account'))).status).toBe(503);
  });

  it('answers malformed, oversized and redirecting answers with 502', async () => {
    const crm = connector({ maxResponseBytes: 64 * 1024 });
    await crm.query('SELECT Id FROM Account');
    for (const fault of [{ malformedRate: 1 }, { oversizedRate: 1, oversizedBytes: 1024 * 1024 }, { redirectRate: 1 }]) {
      sandbox.ctx.faults.set({ ...fault, paths: '/services/data' });
      const err = await failure(crm.query('SELECT Id FROM Account'));
      expect(err.status, JSON.stringify(fault)).toBe(502);
      sandbox.ctx.faults.clear();
    }
  });

  it('answers a hanging or dripping platform with 504, not a hang', async () => {
    const crm = connector({ timeoutMs: 300, maxAttempts: 1 });
    await crm.query('SELECT Id FROM Account');
    sandbox.ctx.faults.set({ hangRate: 1, paths: '/services/data' });
    expect((await failure(crm.query('SELECT Id FROM Account'))).status).toBe(504);
    sandbox.ctx.faults.set({ hangRate: 0, slowBodyRate: 1, paths: '/services/data' });
    expect((await failure(crm.query('SELECT Id FROM Account'))).status).toBe(504);
  });

  it('answers wrong client credentials with 502, and never shows a credential in an error or a log line', async () => {
    logLines.length = 0;
    const wrong = connector({ clientSecret: 'wrong-secret-value' });
    const err = await failure(wrong.query('SELECT Id FROM Account'));
    expect(err.status).toBe(502);
    const good = connector();
    await good.query('SELECT Id FROM Account');
    sandbox.ctx.faults.set({ errorRate: 1, errorStatus: 500, paths: '/services/data' });
    const err2 = await failure(good.query(`SELECT Id FROM Opportunity WHERE Name = ${soqlString(READY_TO_CLOSE_NAME)}`));
    const tokens = [...sandbox.ctx.state().tokens.keys()];
    expect(tokens.length).toBeGreaterThan(0);
    const seen = JSON.stringify([err, err.detail, err.extensions, err2, err2.detail, err2.extensions, logLines]);
    expect(logLines.length).toBeGreaterThan(0);
    for (const secret of [SECRET, 'wrong-secret-value', ...tokens]) expect(seen).not.toContain(secret);
  });
});

describe('CRM connector: closed-won', () => {
  it('finds the opportunity ready to close and closes it', async () => {
    const crm = connector();
    const [ready] = await crm.queryAll<SfOpportunity>(
      `SELECT Id, StageName FROM Opportunity WHERE Name = ${soqlString(READY_TO_CLOSE_NAME)}`,
    );
    await crm.update('Opportunity', ready.Id, { StageName: 'Closed Won' });
    expect((await crm.get<SfOpportunity>('Opportunity', ready.Id))?.IsWon).toBe(true);
  });
});
