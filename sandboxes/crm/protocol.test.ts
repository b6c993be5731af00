// The CRM sandbox's answers in the exact shapes Salesforce documents, where a client library
// would hide them: sObject collections (limits, per-record results, rollback, old versions),
// relationship rows and COUNT() on the wire, describe's routes, and the identity URL's errors.
import { describe, expect, it } from 'vitest';
import { useCrmSandbox } from '../../test/support/crm-sandbox-session.js';
import { recordId } from './ids.js';

const session = useCrmSandbox();
const V = '/services/data/v62.0';
const call = (...args: Parameters<typeof session.call>) => session.call(...args);
const state = () => session.sandbox.ctx.state();

describe('CRM sandbox: sObject collections', () => {
  it('updates by id and deletes by ids with one result per record, in order, keeping the ids', async () => {
    const [a, b] = [...state().records.Contact.keys()];
    const missing = recordId('Contact', 999);
    const updated = await call('PATCH', `${V}/composite/sobjects`, {
      records: [
        { attributes: { type: 'Contact' }, id: a, Title: 'Partner' },
        { attributes: { type: 'Contact' }, id: missing, Title: 'Ghost' },
        { attributes: { type: 'Contact' }, Title: 'No id' },
      ],
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual([
      { id: a, success: true, errors: [] },
      { id: missing, success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] },
      { success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] }] },
    ]);
    expect(state().records.Contact.get(a)?.Title).toBe('Partner');

    const deleted = await call('DELETE', `${V}/composite/sobjects?ids=${a},${b},garbage`);
    expect(deleted.body).toEqual([
      { id: a, success: true, errors: [] },
      { id: b, success: true, errors: [] },
      { success: false, errors: [{ statusCode: 'MALFORMED_ID', message: 'malformed id garbage', fields: [] }] },
    ]);
    expect(state().records.Contact.has(a)).toBe(false);
  });

  it('rolls back an allOrNone delete, and refuses more than 200 records or a missing records list', async () => {
    const [a] = [...state().records.Contact.keys()];
    const rolledBack = await call('DELETE', `${V}/composite/sobjects?ids=${a},garbage&allOrNone=true`);
    expect(rolledBack.body[0]).toEqual({
      id: a,
      success: false,
      errors: [
        {
          statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
          message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
          fields: [],
        },
      ],
    });
    expect(state().records.Contact.has(a)).toBe(true);

    const tooMany = await call('POST', `${V}/composite/sobjects`, {
      records: Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Contact' }, LastName: `N${i}` })),
    });
    expect(tooMany).toMatchObject({ status: 400, body: [{ errorCode: 'EXCEEDED_ID_LIMIT' }] });
    expect(state().records.Contact.size).toBe(10);
    expect((await call('POST', `${V}/composite/sobjects`, { allOrNone: true })).body[0].errorCode).toBe('JSON_PARSER_ERROR');
  });

  it('publishes change events only for what it kept, and exists from API v42.0 on', async () => {
    const replayBefore = state().eventBus.latest();
    const created = await call('POST', `${V}/composite/sobjects`, {
      allOrNone: true,
      records: [
        { attributes: { type: 'Account' }, Name: 'Kept A' },
        { attributes: { type: 'Account' }, Id: '001Dn0000000001AAA', Name: 'Has an id' },
      ],
    });
    expect(created.body[1].errors[0]).toEqual({
      statusCode: 'INVALID_FIELD',
      message: 'cannot specify Id in an insert call',
      fields: ['Id'],
    });
    expect([...state().records.Account.values()].some((r) => r.Name === 'Kept A')).toBe(false);
    expect(state().eventBus.latest()).toBe(replayBefore); // no change event for a rolled-back call
    await call('POST', `${V}/composite/sobjects`, { records: [{ attributes: { type: 'Account' }, Name: 'Kept B' }] });
    expect(state().eventBus.latest()).toBe(replayBefore + 1);
    expect((await call('POST', '/services/data/v41.0/composite/sobjects', { records: [] })).status).toBe(404);
    expect((await call('PATCH', '/services/data/v45.0/composite/sobjects/Account/External_Id__c', { records: [] })).status).toBe(404);
  });

  it('retrieves by ids with the fields asked for, null where no record is', async () => {
    const [a] = [...state().records.Account.keys()];
    const res = await call('GET', `${V}/composite/sobjects/Account?ids=${a},${recordId('Account', 999)}&fields=Name,BillingCountryCode`);
    expect(res.body).toEqual([{ attributes: expect.any(Object), Name: expect.any(String), BillingCountryCode: expect.any(String) }, null]);
  });
});

describe('CRM sandbox: relationship rows, COUNT() and describe on the wire', () => {
  it('nests a parent under its relationship name, null without a parent, and counts with no records', async () => {
    const orphan = await call('POST', `${V}/sobjects/Contact`, { LastName: 'Orphan' });
    const q = encodeURIComponent(`SELECT Id, Account.Name FROM Contact WHERE Id = '${orphan.body.id}' OR Account.Name != null`);
    const rows = (await call('GET', `${V}/query?q=${q}`)).body;
    expect(rows.totalSize).toBe(11);
    const orphanRow = rows.records.find((r: { Id: string }) => r.Id === orphan.body.id);
    expect(orphanRow).toEqual({ attributes: expect.any(Object), Id: orphan.body.id, Account: null });
    const count = await call('GET', `${V}/query?q=${encodeURIComponent('SELECT COUNT() FROM Contact WHERE Account.Name = null')}`);
    expect(count.body).toEqual({ totalSize: 1, done: true, records: [] });
  });

  it('answers describe, the object summary and the version root; an unknown object is 404', async () => {
    expect((await call('GET', `${V}/sobjects/Account/describe`)).body.fields.map((f: { name: string }) => f.name)).toContain('Tax_Id__c');
    expect((await call('GET', `${V}/sobjects/contact`)).body).toMatchObject({
      objectDescribe: { name: 'Contact', keyPrefix: '003' },
      recentItems: [],
    });
    expect((await call('GET', V)).body).toEqual({
      sobjects: `${V}/sobjects`,
      query: `${V}/query`,
      composite: `${V}/composite`,
      identity: `${session.running.url}/id/00DDn0000000001EAA/005Dn0000000001AAA`,
    });
    expect((await call('GET', `${V}/sobjects/Widget__c/describe`)).body[0].errorCode).toBe('NOT_FOUND');
  });
});

describe('CRM sandbox: identity URL', () => {
  const identityPath = '/id/00DDn0000000001EAA/005Dn0000000001AAA';

  it('answers the token answer id with the identity of the session, by header or oauth_token', async () => {
    const t = await session.fetchToken({
      grant_type: 'client_credentials',
      client_id: 'sandbox-crm-client',
      client_secret: 'sandbox-crm-secret',
    });
    expect(t.body.id).toBe(`${session.running.url}${identityPath}`);
    const byHeader = await call('GET', `${identityPath}?version=latest`);
    expect(byHeader.body).toMatchObject({ user_id: '005Dn0000000001AAA', organization_id: '00DDn0000000001EAA', active: true });
    expect(byHeader.body.urls.rest).toBe(`${session.running.url}/services/data/v62.0/`);
    const byQuery = await call('GET', `${identityPath}?oauth_token=${encodeURIComponent(session.token)}`, undefined, { authorization: '' });
    expect(byQuery.body.urls.query).toBe(`${session.running.url}/services/data/v{version}/query/`);
  });

  it('answers the documented plain-text errors', async () => {
    expect(await call('GET', identityPath, undefined, { authorization: '' })).toMatchObject({ status: 403, body: 'Missing_OAuth_Token' });
    expect(await call('GET', identityPath, undefined, { authorization: 'Bearer nope' })).toMatchObject({
      status: 403,
      body: 'Bad_OAuth_Token',
    });
    expect(await call('GET', '/id/00DDn0000000009EAA/005Dn0000000001AAA')).toMatchObject({ status: 403, body: 'Wrong_Org' });
    expect(await call('GET', '/id/00DDn0000000001EAA/005Dn0000000009AAA')).toMatchObject({ status: 404, body: 'Bad_Id' });
    expect(await call('GET', `${identityPath}?version=12.0`)).toMatchObject({ status: 406, body: 'Invalid_Version' });
  });
});
