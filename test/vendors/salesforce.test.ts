// Salesforce conformance: jsforce 3.10.16, the vendor's most used Node client, drives the CRM
// sandbox over real HTTP through its common paths: OAuth client credentials, SOQL with parent
// fields, OR and COUNT(), paging by nextRecordsUrl, describe, single and array writes (arrays go
// through sObject collections), the identity URL, and Change Data Capture through the Streaming
// API with the replay extension.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Connection, OAuth2 } from 'jsforce';
import { StreamingExtension } from 'jsforce/lib/api/streaming.js';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { crmSandbox, READY_TO_CLOSE_NAME, type CrmState } from '../../sandboxes/crm/index.js';
import { waitFor } from '../support/wait-for.js';

let sandbox: SandboxApp<CrmState>;
let running: RunningSandbox;
let conn: Connection;

/** REST API calls so far, as the org counts them (Sforce-Limit-Info). */
const apiCalls = () => sandbox.ctx.state().apiUsage.used;

beforeAll(async () => {
  sandbox = createSandboxApp(crmSandbox);
  running = await listen(sandbox.app);
});
afterAll(() => running.close());
/** A fresh seed (which forgets issued sessions) and a connection logged in to it. */
async function login(seed: 'small' | 'large'): Promise<void> {
  sandbox.reset(seed);
  conn = new Connection({
    oauth2: new OAuth2({ loginUrl: running.url, clientId: 'sandbox-crm-client', clientSecret: 'sandbox-crm-secret' }),
    version: '62.0',
  });
  await conn.authorize({ grant_type: 'client_credentials' });
}
beforeEach(() => login('small'));

describe('jsforce against the CRM sandbox: login and identity', () => {
  it('logs in by client credentials and reads the identity URL of the session', async () => {
    expect(conn.instanceUrl).toBe(running.url);
    expect(conn.userInfo).toMatchObject({ organizationId: '00DDn0000000001EAA', id: '005Dn0000000001AAA' });
    const identity = await conn.identity();
    expect(identity).toMatchObject({
      user_id: '005Dn0000000001AAA',
      organization_id: '00DDn0000000001EAA',
      id: `${running.url}/id/00DDn0000000001EAA/005Dn0000000001AAA`,
      username: expect.any(String),
    });
    expect(identity.urls.rest).toBe(`${running.url}/services/data/v{version}/`);
  });

  it('finds the identity URL through the version root when the connection only has a token', async () => {
    const bare = new Connection({ instanceUrl: conn.instanceUrl, accessToken: conn.accessToken!, version: '62.0' });
    expect((await bare.identity()).user_id).toBe('005Dn0000000001AAA');
  });

  it('is refused a bad client secret with the OAuth error', async () => {
    const wrong = new Connection({
      oauth2: new OAuth2({ loginUrl: running.url, clientId: 'sandbox-crm-client', clientSecret: 'wrong' }),
      version: '62.0',
    });
    await expect(wrong.authorize({ grant_type: 'client_credentials' })).rejects.toMatchObject({ name: 'invalid_client' });
  });
});

describe('jsforce against the CRM sandbox: SOQL', () => {
  it('selects parent fields through the relationship, nested under its name', async () => {
    const result = await conn.query<{ Id: string; Name: string; Account: { Name: string; BillingCountryCode: string } | null }>(
      `SELECT Id, Name, Account.Name, Account.BillingCountryCode FROM Opportunity WHERE Name = '${READY_TO_CLOSE_NAME}'`,
    );
    expect(result.totalSize).toBe(1);
    const [opportunity] = result.records;
    expect(opportunity.Account).toEqual({
      attributes: { type: 'Account', url: expect.stringMatching(/^\/services\/data\/v62\.0\/sobjects\/Account\/001/) },
      Name: expect.any(String),
      BillingCountryCode: expect.stringMatching(/^[A-Z]{2}$/),
    });
    // The same filter through the parent finds the same record.
    const byParent = await conn.query<{ Id: string }>(
      `SELECT Id FROM Opportunity WHERE Account.Name = '${opportunity.Account!.Name.replace(/'/g, "\\'")}' AND Id = '${opportunity.Id}'`,
    );
    expect(byParent.records.map((r) => r.Id)).toEqual([opportunity.Id]);
  });

  it('combines OR with parentheses as SOQL does, and refuses AND mixed with OR unparenthesised', async () => {
    const all = await conn.query<{ Id: string; BillingCountryCode: string; CurrencyIsoCode: string }>(
      'SELECT Id, BillingCountryCode, CurrencyIsoCode FROM Account',
    );
    const expected = all.records.filter((a) => a.BillingCountryCode === 'DE' || a.BillingCountryCode === 'JP').map((a) => a.Id);
    expect(expected).toHaveLength(2);
    const either = await conn.query<{ Id: string }>(
      "SELECT Id FROM Account WHERE (BillingCountryCode = 'DE' OR BillingCountryCode = 'JP') AND Name != null ORDER BY Id",
    );
    expect(either.records.map((r) => r.Id)).toEqual([...expected].sort());
    await expect(
      conn.query("SELECT Id FROM Account WHERE BillingCountryCode = 'DE' OR BillingCountryCode = 'JP' AND Name != null"),
    ).rejects.toMatchObject({ errorCode: 'MALFORMED_QUERY' });
  });

  it('counts with COUNT(): totalSize and no records, through query and SObject#count', async () => {
    const counted = await conn.query("SELECT COUNT() FROM Contact WHERE Account.BillingCountryCode = 'DE' OR Email = null");
    expect(counted.records).toEqual([]);
    const rows = await conn.query<{ Id: string; Email: string | null; Account: { BillingCountryCode: string } | null }>(
      'SELECT Id, Email, Account.BillingCountryCode FROM Contact',
    );
    expect(counted.totalSize).toBe(rows.records.filter((c) => c.Account?.BillingCountryCode === 'DE' || c.Email === null).length);
    expect(counted.totalSize).toBeGreaterThan(0);
    expect(await conn.sobject('Account').count()).toBe(5);
  });

  it('pages by nextRecordsUrl: queryMore by hand and autoFetch, in batches of at least 200 as Salesforce does', async () => {
    await login('large');
    const soql = 'SELECT Id, LastName FROM Contact ORDER BY Id';
    const headers = { 'Sforce-Query-Options': 'batchSize=50' }; // below the minimum: Salesforce answers 200
    const first = await conn.query<{ Id: string }>(soql, { headers, autoFetch: false });
    expect(first.totalSize).toBeGreaterThan(200);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(200);
    const ids = first.records.map((r) => r.Id);
    let page = first;
    while (!page.done) {
      page = await conn.queryMore<{ Id: string }>(page.nextRecordsUrl!);
      ids.push(...page.records.map((r) => r.Id));
    }
    expect(ids).toHaveLength(first.totalSize);
    expect(new Set(ids).size).toBe(ids.length);

    const fetched = await conn.query<{ Id: string }>(soql, { headers, autoFetch: true, maxFetch: 10_000 });
    expect(fetched.records.map((r) => r.Id)).toEqual(ids);
  });
});

describe('jsforce against the CRM sandbox: describe', () => {
  it('describes an object with its fields, types, labels and whether they can be written', async () => {
    const described = await conn.sobject('Opportunity').describe();
    expect(described).toMatchObject({ name: 'Opportunity', keyPrefix: '006', createable: true, updateable: true });
    const field = (name: string) => described.fields.find((f) => f.name === name);
    expect(field('StageName')).toMatchObject({ type: 'picklist', updateable: true, nillable: false, label: 'Stage Name' });
    expect(field('StageName')?.picklistValues?.map((p: { value: string }) => p.value)).toContain('Closed Won');
    expect(field('IsWon')).toMatchObject({ type: 'boolean', updateable: false, createable: false });
    expect(field('AccountId')).toMatchObject({ type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' });
    expect(field('External_Id__c')).toMatchObject({ externalId: true, custom: true, label: 'External ID' });
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(['Account', 'Contact', 'Opportunity']);
    const account = await conn.sobject('Account').describe();
    expect(account.childRelationships.map((c) => `${c.childSObject}.${c.field}`)).toEqual(['Contact.AccountId', 'Opportunity.AccountId']);
  });
});

describe('jsforce against the CRM sandbox: writes', () => {
  it('creates, retrieves, updates and destroys a single record through sobjects/{type}', async () => {
    const created = await conn.sobject('Account').create({ Name: 'Heron Consulting GmbH', BillingCountryCode: 'DE' });
    expect(created).toMatchObject({ success: true, id: expect.stringMatching(/^001/) });
    const id = (created as { id: string }).id;
    await conn.sobject('Account').update({ Id: id, Website: 'heron.de' });
    expect(await conn.sobject('Account').retrieve(id)).toMatchObject({ Name: 'Heron Consulting GmbH', Website: 'heron.de' });
    expect(await conn.sobject('Account').destroy(id)).toMatchObject({ id, success: true });
    await expect(conn.sobject('Account').retrieve(id)).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
  });

  it('writes arrays through sObject collections: one call each for create, retrieve, update, upsert and destroy', async () => {
    const accounts = Array.from({ length: 3 }, (_, i) => ({ Name: `Collection Account ${i}` }));
    const before = apiCalls();
    const created = await conn.sobject('Account').create(accounts);
    expect(apiCalls() - before).toBe(1);
    expect(created.map((r) => r.success)).toEqual([true, true, true]);
    const ids = created.map((r) => (r as { id: string }).id);

    const read = await conn.sobject('Account').retrieve(ids, { fields: ['Name'] });
    expect(read.map((r) => r?.Name)).toEqual(accounts.map((a) => a.Name));

    const mark = apiCalls();
    const updated = await conn.sobject('Account').update(ids.map((Id, i) => ({ Id, Industry: `Industry ${i}` })));
    expect(apiCalls() - mark).toBe(1);
    expect(updated).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));

    const upserted = await conn.sobject('Account').upsert(
      [
        { External_Id__c: 'ext-collection-1', Name: 'Upserted One' },
        { External_Id__c: 'ext-collection-2', Name: 'Upserted Two' },
      ],
      'External_Id__c',
    );
    expect(upserted.map((r) => (r as { created?: boolean }).created)).toEqual([true, true]);

    const destroyed = await conn.sobject('Account').destroy(ids);
    expect(destroyed).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));
    expect(await conn.sobject('Account').count()).toBe(7);
  });

  it('reports each record of a partial array on its own, and rolls every one back with allOrNone', async () => {
    const partial = await conn.sobject('Opportunity').create([
      { Name: 'Good deal', StageName: 'Prospecting', CloseDate: '2026-06-30' },
      { Name: 'No stage', CloseDate: '2026-06-30' },
    ]);
    expect(partial[0]).toMatchObject({ success: true, id: expect.stringMatching(/^006/) });
    expect(partial[1]).toEqual({
      success: false,
      errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [StageName]', fields: ['StageName'] }],
    });

    const opportunities = await conn.sobject('Opportunity').count();
    const rolledBack = await conn.sobject('Opportunity').create(
      [
        { Name: 'Kept only if all pass', StageName: 'Prospecting', CloseDate: '2026-06-30' },
        { Name: 'Bad stage', StageName: 'Nope', CloseDate: '2026-06-30' },
      ],
      { allOrNone: true },
    );
    expect(rolledBack[0]).toEqual({
      success: false,
      errors: [
        {
          statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
          message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
          fields: [],
        },
      ],
    });
    expect(rolledBack[1]).toMatchObject({ success: false, errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' }] });
    expect(await conn.sobject('Opportunity').count()).toBe(opportunities);
  });

  it('takes at most 200 records a call: jsforce splits larger arrays when allowed, and 201 at once is refused', async () => {
    const many = Array.from({ length: 201 }, (_, i) => ({ LastName: `Bulk ${i}` }));
    await expect(conn.sobject('Contact').create(many)).rejects.toMatchObject({ errorCode: 'EXCEEDED_ID_LIMIT' });
    const before = apiCalls();
    const created = await conn.sobject('Contact').create(many, { allowRecursive: true });
    expect(apiCalls() - before).toBe(2);
    expect(created.filter((r) => r.success)).toHaveLength(201);
  });
});

describe('jsforce against the CRM sandbox: Change Data Capture through the Streaming API', () => {
  it('subscribes with the replay extension and receives a change event with its replay id', async () => {
    const channel = '/data/OpportunityChangeEvent';
    const fayeClient = conn.streaming.createClient([new StreamingExtension.Replay(channel, -1)]);
    const received: Array<{ payload: { ChangeEventHeader: Record<string, unknown> }; event: { replayId: number } }> = [];
    const subscription = fayeClient.subscribe(channel, (message: (typeof received)[number]) => void received.push(message));
    try {
      // The subscription settles once /meta/subscribe has been answered.
      await subscription;
      const ready = (await conn.query<{ Id: string }>(`SELECT Id FROM Opportunity WHERE Name = '${READY_TO_CLOSE_NAME}'`)).records[0]!;
      await conn.sobject('Opportunity').update({ Id: ready.Id, StageName: 'Closed Won' });
      await waitFor(() => received.length, { what: 'the change event to reach the jsforce subscriber' });
      expect(received[0]!.payload.ChangeEventHeader).toMatchObject({
        entityName: 'Opportunity',
        changeType: 'UPDATE',
        recordIds: [ready.Id],
        changedFields: expect.arrayContaining(['StageName']),
      });
      expect(received[0]!.event.replayId, 'the replay id a subscriber stores').toBe(sandbox.ctx.state().eventBus.latest());
    } finally {
      subscription.cancel();
      // faye's Client has disconnect(); jsforce's bundled typings leave it out.
      (fayeClient as unknown as { disconnect(): void }).disconnect();
    }
  });
});
