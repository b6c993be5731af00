// The CRM system API as a typed in-process API: the canonical operations on clients,
// contacts and opportunities that routes and process APIs call. Vendor calls go through
// the connector; ids through the cross-reference store.
import { z } from 'zod';
import type { Logger } from '../../core/observability/logger.js';
import { ProblemError } from '../../core/problems.js';
import type { Store } from '../../core/store/index.js';
import { newId } from '../../core/xref/index.js';
import { cursorKind, decodeOptionalCursor, encodeCursor, pageLimit, scopeOf, type Page } from '../../core/paging.js';
import type { CrmChangeStream } from './change-stream.js';
import type { CrmConnector } from './connector.js';
import {
  accountToClient,
  clientBillingToSfFields,
  clientToAccountFields,
  contactToSfFields,
  erpProjectToSfFields,
  isSalesforceId,
  opportunityBillingToSfFields,
  opportunityToSfFields,
  sfContactToContact,
  sfOpportunityToOpportunity,
  websiteDomain,
} from './mapping.js';
import type {
  Client,
  ClientBillingUpdate,
  ClientInput,
  ClientPage,
  ClientPatch,
  Contact,
  ContactInput,
  ContactPage,
  ContactPatch,
  ErpProjectLink,
  Opportunity,
  OpportunityBillingUpdate,
  OpportunityInput,
  OpportunityPage,
  OpportunityPatch,
  OpportunityStage,
} from './canonical.js';
import { ACCOUNT_FIELDS, CONTACT_FIELDS, listQuery, OPPORTUNITY_FIELDS, PARENT_ACCOUNT_FIELDS, type Condition } from './soql.js';
import { STAGE_TO_VENDOR } from './vocabulary.js';
import type { SfAccount, SfContact, SfOpportunity, SfParentAccount, SfRecord, SObjectType } from './vendor-types.js';
import { crmIds, ENTITY_OF, SOBJECT_OF, type CrmEntity } from './ids.js';
import { recordLinksOf } from '../kit/record-links.js';
import { crmRecordUrl, type CrmRecordLink } from './links.js';
import {
  opportunityFeedStart,
  pullOpportunityChanges,
  type OpportunityChangePage,
  type OpportunityFeedPosition,
} from './opportunity-changes.js';

export interface PageQuery {
  cursor?: string;
  limit?: number | string;
  updatedSince?: string;
}
export interface ClientQuery extends PageQuery {
  domain?: string;
  taxId?: string;
  name?: string;
}
export interface ContactQuery extends PageQuery {
  clientId?: string;
  email?: string;
}
export interface OpportunityQuery extends PageQuery {
  clientId?: string;
  stage?: OpportunityStage;
}

export interface CrmSystemApi {
  listClients(query?: ClientQuery): Promise<ClientPage>;
  getClient(clientId: string): Promise<Client>;
  createClient(input: ClientInput): Promise<Client>;
  updateClient(clientId: string, patch: ClientPatch): Promise<Client>;
  setClientBillingStatus(clientId: string, update: ClientBillingUpdate): Promise<Client>;

  listContacts(query?: ContactQuery): Promise<ContactPage>;
  getContact(contactId: string): Promise<Contact>;
  createContact(input: ContactInput): Promise<Contact>;
  updateContact(contactId: string, patch: ContactPatch): Promise<Contact>;

  listOpportunities(query?: OpportunityQuery): Promise<OpportunityPage>;
  getOpportunity(opportunityId: string): Promise<Opportunity>;
  createOpportunity(input: OpportunityInput): Promise<Opportunity>;
  updateOpportunity(opportunityId: string, patch: OpportunityPatch): Promise<Opportunity>;
  setOpportunityErpProject(opportunityId: string, link: ErpProjectLink): Promise<Opportunity>;
  setOpportunityBillingStatus(opportunityId: string, update: OpportunityBillingUpdate): Promise<Opportunity>;

  /** The canonical id of a CRM record id (e.g. from a change event's recordIds), linked on first sight. */
  canonicalIdOf(entity: CrmEntity, crmId: string): Promise<string>;
  /**
   * Salesforce ids and Lightning record pages (for a person to open) of canonical records, read in
   * bulk; ids the CRM never had are left out.
   */
  recordLinks(entity: CrmEntity, canonicalIds: readonly string[]): Promise<Map<string, CrmRecordLink>>;

  /** Where the opportunity catch-up feed starts: `lookbackMs` before now. */
  opportunityFeedStart(lookbackMs: number): OpportunityFeedPosition;
  /** One page of opportunities modified after `from` (SystemModstamp, then Id), oldest first. */
  opportunityChangesSince(from: OpportunityFeedPosition): Promise<OpportunityChangePage>;

  /**
   * The CRM's change events as they happen (Change Data Capture on the Streaming API), recorded into
   * the inbox under source `crm`; started and stopped by the process layer. Absent when the events
   * arrive through a relay's webhooks instead.
   */
  changeStream?: CrmChangeStream;
}

export interface CrmSystemApiDeps {
  connector: CrmConnector;
  store: Store;
  logger?: Logger;
}

/** Each collection's cursor: the last record id of the page, bound to the collection and its filters. */
const idOf = (type: SObjectType) => z.string().refine((id) => isSalesforceId(id, type));
export const CRM_CURSORS = {
  Account: cursorKind('crm.clients', { after: idOf('Account') }),
  Contact: cursorKind('crm.contacts', { after: idOf('Contact') }),
  Opportunity: cursorKind('crm.opportunities', { after: idOf('Opportunity') }),
} as const;

/** The filters a cursor is bound to: everything in the query but the cursor and the page size. */
function filtersOf(query: PageQuery): string {
  const { cursor: _cursor, limit: _limit, ...filters } = query as PageQuery & Record<string, unknown>;
  return scopeOf(filters);
}

function checkTermDates(terms: { startDate?: string | null; endDate?: string | null }): void {
  if (terms.startDate && terms.endDate && terms.endDate < terms.startDate) {
    throw new ProblemError('business-rule-violation', {
      detail: `contractTerms.endDate ${terms.endDate} is before contractTerms.startDate ${terms.startDate}.`,
      errors: [{ pointer: '/contractTerms/endDate', detail: 'before startDate' }],
    });
  }
}

export function createCrmSystemApi({ connector, store, logger }: CrmSystemApiDeps): CrmSystemApi {
  const ids = crmIds(store.db);
  /** The CRM id of a canonical record, or a 404 naming what was looked for. */
  const nativeOf = (entity: CrmEntity, canonicalId: string) =>
    ids.require(entity, canonicalId, () => new ProblemError('not-found', { detail: `No ${entity} ${canonicalId} in the CRM.` }));
  /** Like nativeOf(), for a reference inside a request body: unknown is the caller's data problem (422). */
  const referenceOf = (entity: CrmEntity, canonicalId: string, pointer: string) =>
    ids.require(
      entity,
      canonicalId,
      () =>
        new ProblemError('unprocessable-content', {
          detail: `The ${entity} ${canonicalId} is not known to the CRM.`,
          errors: [{ pointer, detail: `unknown ${entity}` }],
        }),
    );

  async function fetchOne<T extends SfRecord>(type: SObjectType, crmId: string, fields: readonly string[]): Promise<T> {
    const record = await connector.get<T>(type, crmId, fields);
    if (!record) {
      logger?.warn({ entity: ENTITY_OF[type] }, 'cross-referenced CRM record no longer exists');
      throw new ProblemError('not-found', { detail: `The ${ENTITY_OF[type]} no longer exists in the CRM.` });
    }
    return record;
  }

  async function accountIdsToClients(
    records: Array<{ AccountId?: string | null; Account?: SfParentAccount }>,
  ): Promise<Map<string, string>> {
    return ids.canonicalMany(
      'client',
      records.flatMap((r) => (r.AccountId ? [{ nativeId: r.AccountId, adoptHint: r.Account?.External_Id__c }] : [])),
    );
  }

  async function clients(records: SfAccount[]): Promise<Client[]> {
    const map = await ids.canonicalMany(
      'client',
      records.map((r) => ({ nativeId: r.Id, adoptHint: r.External_Id__c })),
    );
    return records.map((r) => accountToClient(r, { id: map.get(r.Id)! }));
  }
  async function contacts(records: SfContact[]): Promise<Contact[]> {
    const map = await ids.canonicalMany(
      'contact',
      records.map((r) => ({ nativeId: r.Id, adoptHint: r.External_Id__c })),
    );
    const accounts = await accountIdsToClients(records);
    return records.map((r) => sfContactToContact(r, { id: map.get(r.Id)!, clientId: r.AccountId ? accounts.get(r.AccountId)! : null }));
  }
  async function opportunities(records: SfOpportunity[]): Promise<Opportunity[]> {
    const map = await ids.canonicalMany(
      'opportunity',
      records.map((r) => ({ nativeId: r.Id, adoptHint: r.External_Id__c })),
    );
    const accounts = await accountIdsToClients(records);
    return records.map((r) =>
      sfOpportunityToOpportunity(r, { id: map.get(r.Id)!, clientId: r.AccountId ? accounts.get(r.AccountId)! : null }),
    );
  }

  async function page<T extends SfRecord, C>(
    type: keyof typeof CRM_CURSORS & SObjectType,
    fields: readonly string[],
    conditions: Condition[],
    query: PageQuery,
    toCanonical: (records: T[]) => Promise<C[]>,
    keep: (record: T) => boolean = () => true,
  ): Promise<Page<C>> {
    const kind = CRM_CURSORS[type];
    const after = decodeOptionalCursor(kind, query.cursor, filtersOf(query))?.after;
    const limit = pageLimit(query.limit);
    const where = [...conditions];
    if (query.updatedSince) where.push({ field: 'SystemModstamp', op: '>=', value: query.updatedSince, kind: 'datetime' });
    // One more than asked tells whether another page exists.
    const result = await connector.query<T>(listQuery(type, fields, where, after, limit + 1), limit + 1);
    const rows = result.records.slice(0, limit);
    const more = result.records.length > limit;
    return {
      items: await toCanonical(rows.filter(keep)),
      nextCursor: more ? encodeCursor(kind, { after: rows[rows.length - 1].Id }, filtersOf(query)) : null,
    };
  }

  const getClientRecord = async (clientId: string) => fetchOne<SfAccount>('Account', await nativeOf('client', clientId), ACCOUNT_FIELDS);
  const getContactRecord = async (contactId: string) =>
    fetchOne<SfContact>('Contact', await nativeOf('contact', contactId), CONTACT_FIELDS);
  const getOpportunityRecord = async (opportunityId: string) =>
    fetchOne<SfOpportunity>('Opportunity', await nativeOf('opportunity', opportunityId), OPPORTUNITY_FIELDS);

  /** Creates by upsert on External_Id__c = the new canonical id: a retried create finds the same record. */
  async function createRecord(type: SObjectType, fields: Record<string, unknown>): Promise<{ canonicalId: string; crmId: string }> {
    const canonicalId = String(fields.External_Id__c);
    const result = await connector.upsert(type, 'External_Id__c', canonicalId, fields);
    const crmId = result.id ?? (await connector.getByExternalId(type, 'External_Id__c', canonicalId, ['Id']))?.Id;
    if (!crmId) throw new ProblemError('upstream-error', { detail: 'The CRM did not return the created record.' });
    await ids.link(ENTITY_OF[type], canonicalId, crmId);
    return { canonicalId, crmId };
  }

  const api: CrmSystemApi = {
    async listClients(query = {}) {
      const conditions: Condition[] = [];
      if (query.taxId) conditions.push({ field: 'Tax_Id__c', op: '=', value: query.taxId });
      if (query.name) conditions.push({ field: 'Name', op: '=', value: query.name });
      const domain = query.domain?.toLowerCase().replace(/^www\./, '');
      // The CRM cannot compare domains: narrow with LIKE, then keep exact domain matches only.
      if (domain) conditions.push({ field: 'Website', op: 'LIKE', value: `%${domain}%` });
      return page<SfAccount, Client>(
        'Account',
        ACCOUNT_FIELDS,
        conditions,
        query,
        clients,
        (r) => !domain || websiteDomain(r.Website) === domain,
      );
    },
    async getClient(clientId) {
      return (await clients([await getClientRecord(clientId)]))[0];
    },
    async createClient(input) {
      const { crmId } = await createRecord('Account', clientToAccountFields(input, newId()));
      return (await clients([await fetchOne<SfAccount>('Account', crmId, ACCOUNT_FIELDS)]))[0];
    },
    async updateClient(clientId, patch) {
      const crmId = await nativeOf('client', clientId);
      await connector.update('Account', crmId, clientToAccountFields(patch));
      return api.getClient(clientId);
    },
    async setClientBillingStatus(clientId, update) {
      const account = await getClientRecord(clientId);
      await connector.update('Account', account.Id, clientBillingToSfFields(update, account.CurrencyIsoCode ?? null));
      return api.getClient(clientId);
    },

    async listContacts(query = {}) {
      const conditions: Condition[] = [];
      if (query.clientId) conditions.push({ field: 'AccountId', op: '=', value: await nativeOf('client', query.clientId) });
      if (query.email) conditions.push({ field: 'Email', op: '=', value: query.email });
      return page<SfContact, Contact>('Contact', [...CONTACT_FIELDS, ...PARENT_ACCOUNT_FIELDS], conditions, query, contacts);
    },
    async getContact(contactId) {
      return (await contacts([await getContactRecord(contactId)]))[0];
    },
    async createContact(input) {
      const accountId = input.clientId ? await referenceOf('client', input.clientId, '/clientId') : input.clientId;
      const { crmId } = await createRecord('Contact', contactToSfFields(input, { accountId }, newId()));
      return (await contacts([await fetchOne<SfContact>('Contact', crmId, CONTACT_FIELDS)]))[0];
    },
    async updateContact(contactId, patch) {
      const crmId = await nativeOf('contact', contactId);
      const accountId = patch.clientId ? await referenceOf('client', patch.clientId, '/clientId') : patch.clientId;
      await connector.update('Contact', crmId, contactToSfFields(patch, { accountId }));
      return api.getContact(contactId);
    },

    async listOpportunities(query = {}) {
      const conditions: Condition[] = [];
      if (query.clientId) conditions.push({ field: 'AccountId', op: '=', value: await nativeOf('client', query.clientId) });
      if (query.stage === 'open') {
        conditions.push({ field: 'StageName', op: 'NOT IN', values: Object.values(STAGE_TO_VENDOR) });
      } else if (query.stage) {
        conditions.push({ field: 'StageName', op: '=', value: STAGE_TO_VENDOR[query.stage] });
      }
      return page<SfOpportunity, Opportunity>(
        'Opportunity',
        [...OPPORTUNITY_FIELDS, ...PARENT_ACCOUNT_FIELDS],
        conditions,
        query,
        opportunities,
      );
    },
    async getOpportunity(opportunityId) {
      return (await opportunities([await getOpportunityRecord(opportunityId)]))[0];
    },
    async createOpportunity(input) {
      checkTermDates(input.contractTerms ?? {});
      const accountId = await referenceOf('client', input.clientId, '/clientId');
      const { crmId } = await createRecord('Opportunity', opportunityToSfFields(input, { accountId }, newId()));
      return (await opportunities([await fetchOne<SfOpportunity>('Opportunity', crmId, OPPORTUNITY_FIELDS)]))[0];
    },
    async updateOpportunity(opportunityId, patch) {
      const crmId = await nativeOf('opportunity', opportunityId);
      if (patch.contractTerms?.startDate !== undefined || patch.contractTerms?.endDate !== undefined) {
        // Compare with the stored terms, since a patch may move only one end.
        const current = await api.getOpportunity(opportunityId);
        checkTermDates({ ...current.contractTerms, ...patch.contractTerms });
      }
      const accountId = patch.clientId ? await referenceOf('client', patch.clientId, '/clientId') : undefined;
      await connector.update('Opportunity', crmId, opportunityToSfFields(patch, { accountId }));
      return api.getOpportunity(opportunityId);
    },
    async setOpportunityErpProject(opportunityId, link) {
      const crmId = await nativeOf('opportunity', opportunityId);
      await connector.update('Opportunity', crmId, erpProjectToSfFields(link));
      return api.getOpportunity(opportunityId);
    },
    async setOpportunityBillingStatus(opportunityId, update) {
      const crmId = await nativeOf('opportunity', opportunityId);
      await connector.update('Opportunity', crmId, opportunityBillingToSfFields(update));
      return api.getOpportunity(opportunityId);
    },

    canonicalIdOf: (entity, crmId) => ids.canonical(entity, crmId),
    recordLinks(entity, canonicalIds) {
      const type = SOBJECT_OF[entity];
      return recordLinksOf(ids, entity, canonicalIds, (nativeId) => crmRecordUrl(connector.baseUrl, type, nativeId));
    },
    opportunityFeedStart: (lookbackMs) => opportunityFeedStart(Date.now(), lookbackMs),
    opportunityChangesSince: (from) => pullOpportunityChanges(connector, from),
  };
  return api;
}
