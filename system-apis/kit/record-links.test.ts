// Every system API's `recordLinks` on both engines: native ids of many canonical records read from
// the cross-references in batches of at most 500 ids (never one query per id), unknown ids and ids of
// another entity type left out, and the page URL each platform has for the entity (or none).
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import type { Store } from '../../core/store/index.js';
import { CrossReferences, numericIds, textIds, type NativeIdCodec } from '../../core/xref/index.js';
import { devM2m } from '../../test/support/netsuite-m2m.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { CrmConnector } from '../crm/connector.js';
import { createCrmSystemApi } from '../crm/service.js';
import { ErpConnector } from '../erp/connector.js';
import { createErpSystemApi } from '../erp/service.js';
import { SchedulingConnector } from '../scheduling/connector.js';
import { createSchedulingSystemApi } from '../scheduling/service.js';
import { TimeConnector } from '../time/connector.js';
import { createTimeSystemApi } from '../time/service.js';

/** The longest list of values a query node holds (an `in (…)` list's length). */
function longestList(node: unknown): number {
  if (!node || typeof node !== 'object') return 0;
  const own =
    'kind' in node && (node.kind === 'PrimitiveValueListNode' || node.kind === 'ValueListNode') && 'values' in node
      ? (node.values as unknown[]).length
      : 0;
  return Math.max(own, ...Object.values(node).map(longestList));
}

/** Counts the reads of the xref table and the ids each one names. */
class XrefQueries implements KyselyPlugin {
  readonly idsPerQuery: number[] = [];
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (node.kind === 'SelectQueryNode' && JSON.stringify(node.from).includes('"xref"')) this.idsPerQuery.push(longestList(node.where));
    return node;
  }
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }
}

const connection = { timeoutMs: 1_000 };
const silent = pino({ level: 'silent' });

describe.each(testEngines())('record links of the system APIs on $name', (engine) => {
  let store: Store;
  let counted: Store;
  let queries: XrefQueries;
  const platformCalls: string[] = [];
  const onCall = (platform: string, method: string) => void platformCalls.push(`${platform} ${method}`);

  beforeAll(async () => {
    store = await migratedStore(engine);
    queries = new XrefQueries();
    counted = { ...store, db: store.db.withPlugin(queries) };
  });
  afterAll(async () => {
    await store.close();
    await engine.cleanup();
  });

  /** Links `n` records of an entity on a platform; returns their canonical ids with the native ids given. */
  async function linked<N extends string | number>(
    platform: string,
    entity: string,
    natives: N[],
    codec: NativeIdCodec<N>,
  ): Promise<Map<string, string>> {
    const ids = new CrossReferences<string, N>(store.db, { platform, nativeIds: codec });
    const byNative = await ids.canonicalMany(
      entity,
      natives.map((nativeId) => ({ nativeId })),
    );
    return new Map([...byNative].map(([native, canonical]) => [canonical, native]));
  }

  it('ERP: 1,201 invoices in three queries of at most 500 ids, each with its NetSuite page on the account host', async () => {
    const invoices = await linked(
      'erp',
      'invoice',
      Array.from({ length: 1_201 }, (_, i) => String(700_000 + i)),
      textIds,
    );
    const [client] = [...(await linked('erp', 'client', ['88001'], textIds)).keys()];
    const erp = createErpSystemApi({
      connector: new ErpConnector({
        baseUrl: 'https://1234567-sb1.suitetalk.api.netsuite.com',
        clientId: 'links-test',
        m2m: devM2m(),
        ...connection,
        client: { onCall },
      }),
      store: counted,
      logger: silent,
    });
    const unknown = newId();
    queries.idsPerQuery.length = 0;
    const links = await erp.recordLinks('invoice', [...invoices.keys(), unknown, client!, [...invoices.keys()][0]!]);

    expect(queries.idsPerQuery, 'three reads of the cross-references, none naming more than 500 ids').toEqual([500, 500, 203]);
    expect(links.size, 'every invoice, not the unknown id nor the client').toBe(1_201);
    expect(links.has(unknown), 'an id ERP never had is left out').toBe(false);
    expect(links.has(client!), 'a client is not an invoice').toBe(false);
    const [someId, someNative] = [...invoices][600]!;
    expect(links.get(someId), "the invoice's internal id and page on the account's UI host").toEqual({
      nativeId: someNative,
      url: `https://1234567-sb1.app.netsuite.com/app/accounting/transactions/custinvc.nl?id=${someNative}`,
    });
    expect((await erp.recordLinks('client', [client!])).get(client!)?.url, "a customer's page").toBe(
      'https://1234567-sb1.app.netsuite.com/app/common/entity/custjob.nl?id=88001',
    );
    const [rateCard] = [...(await linked('erp', 'rate-card', ['55'], textIds)).keys()];
    expect((await erp.recordLinks('rate-card', [rateCard!])).get(rateCard!), 'a rate card: its id, and no page of its own').toEqual({
      nativeId: '55',
      url: null,
    });
    expect(platformCalls, 'ERP itself is never asked').toEqual([]);
  });

  it("ERP off NetSuite's own host: pages on the configured account's host, else on the base itself", async () => {
    const [project] = [...(await linked('erp', 'engagement', ['4711'], textIds)).keys()];
    const erpAt = (accountId?: string) =>
      createErpSystemApi({
        connector: new ErpConnector({ baseUrl: 'http://127.0.0.1:4010', clientId: 'links-test', m2m: devM2m(), ...connection }),
        store,
        logger: silent,
        ...(accountId ? { accountId } : {}),
      });
    expect(
      (await erpAt('1234567_SB1').recordLinks('engagement', [project!])).get(project!)?.url,
      'the account named by ERP_ACCOUNT_ID',
    ).toBe('https://1234567-sb1.app.netsuite.com/app/accounting/project/project.nl?id=4711');
    expect((await erpAt().recordLinks('engagement', [project!])).get(project!)?.url, 'no account: the base the layer talks to').toBe(
      'http://127.0.0.1:4010/app/accounting/project/project.nl?id=4711',
    );
  });

  it('CRM: Lightning record pages on the My Domain the API is called on, per sObject', async () => {
    const deals = await linked(
      'crm',
      'opportunity',
      Array.from({ length: 501 }, (_, i) => `006${String(i).padStart(15, '0')}`),
      textIds,
    );
    const [account] = [...(await linked('crm', 'client', ['001000000000000001'], textIds)).keys()];
    const crm = createCrmSystemApi({
      connector: new CrmConnector({
        baseUrl: 'https://acme.my.salesforce.com',
        apiVersion: 'v62.0',
        clientId: 'links-test',
        clientSecret: 'links-test',
        ...connection,
      }),
      store: counted,
    });
    queries.idsPerQuery.length = 0;
    const links = await crm.recordLinks('opportunity', [...deals.keys(), account!]);
    expect(queries.idsPerQuery, 'two reads for 502 ids').toEqual([500, 2]);
    expect(links.size, 'the deals, not the account').toBe(501);
    const [dealId, dealNative] = [...deals][0]!;
    expect(links.get(dealId), 'an opportunity page').toEqual({
      nativeId: dealNative,
      url: `https://acme.my.salesforce.com/lightning/r/Opportunity/${dealNative}/view`,
    });
    expect((await crm.recordLinks('client', [account!])).get(account!)?.url, 'an account page').toBe(
      'https://acme.my.salesforce.com/lightning/r/Account/001000000000000001/view',
    );
  });

  it('Time and Scheduling: the platforms’ numeric ids as text, and no page (Harvest and Float have none to link)', async () => {
    const entries = await linked(
      'time',
      'time-entry',
      Array.from({ length: 520 }, (_, i) => 9_000_000 + i),
      numericIds,
    );
    const assignments = await linked('scheduling', 'assignment', [31, 32], numericIds);
    const [resource] = [...(await linked('scheduling', 'resource', [77], numericIds)).keys()];
    const time = createTimeSystemApi({
      connector: new TimeConnector({ baseUrl: 'https://api.harvestapp.com', accessToken: 't', accountId: '1', ...connection, onCall }),
      store: counted,
    });
    const scheduling = createSchedulingSystemApi({
      connector: new SchedulingConnector({ baseUrl: 'https://api.float.com', apiToken: 't', ...connection, onCall }),
      store: counted,
    });
    queries.idsPerQuery.length = 0;
    const timeLinks = await time.recordLinks('time-entry', [...entries.keys(), newId()]);
    expect(queries.idsPerQuery, 'two reads for 521 ids').toEqual([500, 21]);
    expect(timeLinks.size, 'every entry, not the unknown id').toBe(520);
    const [entryId, entryNative] = [...entries][519]!;
    expect(timeLinks.get(entryId), "Harvest's id, no page").toEqual({ nativeId: entryNative, url: null });

    const schedulingLinks = await scheduling.recordLinks('assignment', [...assignments.keys(), resource!]);
    expect([...schedulingLinks.values()].map((l) => [l.nativeId, l.url]).sort(), "Float's ids, no pages; not the resource").toEqual([
      ['31', null],
      ['32', null],
    ]);
    expect(await scheduling.recordLinks('resource', []), 'nothing asked, nothing read').toEqual(new Map());
    expect(platformCalls, 'neither platform is asked').toEqual([]);
  });
});
