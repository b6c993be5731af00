// ERP master data in the canonical model: legal entities (subsidiaries), rate cards
// (customrecord_rate_card), clients (customers, found-or-created by the matching rules)
// and projects (jobs).
import type { Page } from '../../core/paging.js';
import { ProblemError } from '../../core/problems.js';
import { newId } from '../../core/xref/index.js';
import type {
  Client,
  ClientMatchRequest,
  ClientMatchResult,
  ClientUpdate,
  Engagement,
  LegalEntity,
  ProjectCreate,
  ProjectUpdate,
  RateCard,
} from './canonical.js';
import {
  clientToCustomer,
  clientUpdateToCustomer,
  customerToClient,
  domainOf,
  jobToEngagement,
  projectToJob,
  projectUpdateToJob,
  rateCardToCanonical,
  subsidiaryToLegalEntity,
  type ErpEntity,
} from './mapping.js';
import { matchKeys, normaliseClientName, normaliseTaxId, sameClient } from './matching.js';
import { type ErpContext, sqlNativeId, sqlString, type PageRequest } from './service-context.js';
import { claimClientKeys, matchKeyOwners } from './tables.js';
import type { NsCustomer, NsJob, NsRateCard, NsSubsidiary } from './vendor-types.js';

const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

export class ErpMasterData {
  constructor(private readonly ctx: ErpContext) {}

  // ---- legal entities -------------------------------------------------------------------

  legalEntities(records: NsSubsidiary[]): Promise<LegalEntity[]> {
    return this.ctx.mapPage(
      records,
      (ns) => [{ entity: 'legal-entity', nativeId: ns.id, hint: ns.externalId }],
      (ns) => ns.currency.id,
      subsidiaryToLegalEntity,
    );
  }

  async listLegalEntities(page: PageRequest): Promise<Page<LegalEntity>> {
    const at = this.ctx.pageAt('legal-entities', page);
    const { ids, nextCursor } = await this.ctx.pageOfIds('subsidiary', [], at);
    const records = await this.ctx.fetchRecords<NsSubsidiary>('subsidiary', ids);
    return { items: await this.legalEntities(records), nextCursor };
  }

  async getLegalEntity(id: string): Promise<LegalEntity> {
    const [entity] = await this.legalEntities([
      await this.ctx.mustFetch<NsSubsidiary>('subsidiary', await this.ctx.nativeOf('legal-entity', id)),
    ]);
    return entity!;
  }

  // ---- rate cards -------------------------------------------------------------------------

  private rateCards(records: NsRateCard[]): Promise<RateCard[]> {
    return this.ctx.mapPage(
      records,
      (ns) => [
        { entity: 'rate-card', nativeId: ns.id, hint: ns.externalId },
        { entity: 'legal-entity', nativeId: ns.custrecord_rc_subsidiary.id },
        ...(ns.custrecord_rc_customer ? [{ entity: 'client' as ErpEntity, nativeId: ns.custrecord_rc_customer.id }] : []),
      ],
      (ns) => ns.custrecord_rc_currency.id,
      rateCardToCanonical,
    );
  }

  async listRateCards(page: PageRequest & { legalEntityId?: string }): Promise<Page<RateCard>> {
    const at = this.ctx.pageAt('rate-cards', page);
    const conditions = page.legalEntityId
      ? [`custrecord_rc_subsidiary = ${sqlNativeId(await this.ctx.nativeOf('legal-entity', page.legalEntityId, '/query/legalEntityId'))}`]
      : [];
    const { ids, nextCursor } = await this.ctx.pageOfIds('customrecord_rate_card', conditions, at);
    const records = await this.ctx.fetchRecords<NsRateCard>('customrecord_rate_card', ids);
    return { items: await this.rateCards(records), nextCursor };
  }

  async getRateCard(id: string): Promise<RateCard> {
    const [card] = await this.rateCards([
      await this.ctx.mustFetch<NsRateCard>('customrecord_rate_card', await this.ctx.nativeOf('rate-card', id)),
    ]);
    return card!;
  }

  // ---- clients -------------------------------------------------------------------------------

  clients(records: NsCustomer[]): Promise<Client[]> {
    return this.ctx.mapPage(
      records,
      (ns) => [
        { entity: 'client', nativeId: ns.id, hint: ns.custentity_canonical_id ?? ns.externalId },
        { entity: 'legal-entity', nativeId: ns.subsidiary.id },
      ],
      (ns) => ns.currency.id,
      async (ns, map) => customerToClient(ns, map, (await this.ctx.subsidiary(ns.subsidiary.id)).country),
    );
  }

  async listClients(page: PageRequest & { legalEntityId?: string }): Promise<Page<Client>> {
    const at = this.ctx.pageAt('clients', page);
    const conditions = page.legalEntityId
      ? [`subsidiary = ${sqlNativeId(await this.ctx.nativeOf('legal-entity', page.legalEntityId, '/query/legalEntityId'))}`]
      : [];
    const { ids, nextCursor } = await this.ctx.pageOfIds('customer', conditions, at);
    const records = await this.ctx.fetchRecords<NsCustomer>('customer', ids);
    return { items: await this.clients(records), nextCursor };
  }

  async getClient(id: string): Promise<Client> {
    const [client] = await this.clients([await this.ctx.mustFetch<NsCustomer>('customer', await this.ctx.nativeOf('client', id))]);
    return client!;
  }

  async updateClient(id: string, update: ClientUpdate): Promise<Client> {
    const native = await this.ctx.nativeOf('client', id);
    if (update.domain !== undefined) checkDomain(update.domain, '/domain');
    await this.ctx.connector.updateRecord('customer', native, clientUpdateToCustomer(update));
    return this.getClient(id);
  }

  /**
   * The matching rules: the same normalised name plus the same domain or tax id is the
   * same client. Found in the layer's match keys first, then among ERP's customers; else
   * created once: the keys are claimed atomically under a lock on the normalised name (see
   * claimClientKeys), and the customer is written by upsert on the winner's canonical id,
   * so racers converge on one customer.
   */
  async findOrCreateClient(input: ClientMatchRequest): Promise<ClientMatchResult> {
    const domain = input.domain !== undefined ? checkDomain(input.domain, '/domain') : undefined;
    const request = { ...input, ...(domain ? { domain } : {}) };
    const keys = matchKeys(request);
    if (keys.length === 0) {
      throw new ProblemError('validation-failed', {
        detail: 'A client needs a web domain or a tax id, so that it can be matched and never created twice.',
        errors: [
          { pointer: '/domain', detail: 'domain or taxId is required' },
          { pointer: '/taxId', detail: 'domain or taxId is required' },
        ],
      });
    }
    const subsidiaryId = await this.ctx.nativeOf('legal-entity', input.legalEntityId, '/legalEntityId');

    const name = normaliseClientName(request.name);
    const claim = (candidate: string) => claimClientKeys(this.ctx.deps.store, name, keys, candidate);
    const owners = await matchKeyOwners(this.ctx.db, keys);
    const known = keys.map((key) => owners.get(key)).find((id) => id !== undefined);
    if (known) return this.ensureClient(await claim(known), request, subsidiaryId, true);

    const existing = await this.findInErp(request);
    if (existing) {
      const canonicalId = await this.ctx.ids.canonical('client', existing.id, existing.custentity_canonical_id ?? existing.externalId);
      return { client: await this.getClient(await claim(canonicalId)), matched: true };
    }

    const candidate = newId();
    const winner = await claim(candidate);
    return this.ensureClient(winner, request, subsidiaryId, winner !== candidate);
  }

  /** Makes sure the client with this canonical id exists in ERP (idempotent upsert) and answers it. */
  private async ensureClient(
    canonicalId: string,
    input: ClientMatchRequest,
    subsidiaryId: string,
    matched: boolean,
  ): Promise<ClientMatchResult> {
    if (await this.ctx.ids.native('client', canonicalId)) return { client: await this.getClient(canonicalId), matched };
    const { currencyCode } = await this.ctx.subsidiary(subsidiaryId);
    const currency = input.defaultCurrency ?? currencyCode;
    const vendor = await this.ctx.toVendor([['legal-entity', input.legalEntityId, subsidiaryId]]);
    const native = await this.ctx.connector.upsertRecord('customer', canonicalId, clientToCustomer(input, currency, vendor, canonicalId));
    await this.ctx.ids.link('client', canonicalId, native);
    return { client: await this.getClient(canonicalId), matched };
  }

  /** ERP customers with the same tax id or domain, filtered by the full matching rule. */
  private async findInErp(input: ClientMatchRequest): Promise<NsCustomer | undefined> {
    const conditions: string[] = [];
    if (input.taxId) {
      conditions.push(`vatregnumber = ${sqlString(input.taxId)}`, `vatregnumber = ${sqlString(normaliseTaxId(input.taxId))}`);
    }
    if (input.domain) conditions.push(`url LIKE ${sqlString(`%${input.domain}%`)}`);
    const rows = await this.ctx.connector.queryAll<{ id: string; companyname?: string; url?: string; vatregnumber?: string }>(
      `SELECT id, companyname, url, vatregnumber FROM customer WHERE ${conditions.join(' OR ')} ORDER BY id`,
      1_000,
    );
    const match = rows.find((row) => sameClient(input, { name: row.companyname ?? '', domain: row.url, taxId: row.vatregnumber }));
    return match ? this.ctx.mustFetch<NsCustomer>('customer', match.id) : undefined;
  }

  // ---- projects -----------------------------------------------------------------------------

  projects(records: NsJob[]): Promise<Engagement[]> {
    return this.ctx.mapPage(
      records,
      (ns) => [
        { entity: 'engagement', nativeId: ns.id, hint: ns.custentity_canonical_id ?? ns.externalId },
        { entity: 'client', nativeId: ns.parent.id },
        { entity: 'legal-entity', nativeId: ns.subsidiary.id },
        ...(ns.custentity_rate_card ? [{ entity: 'rate-card' as ErpEntity, nativeId: ns.custentity_rate_card.id }] : []),
      ],
      (ns) => ns.currency.id,
      jobToEngagement,
    );
  }

  async listProjects(page: PageRequest & { clientId?: string }): Promise<Page<Engagement>> {
    const at = this.ctx.pageAt('projects', page);
    const conditions = page.clientId
      ? [`parent = ${sqlNativeId(await this.ctx.nativeOf('client', page.clientId, '/query/clientId'))}`]
      : [];
    const { ids, nextCursor } = await this.ctx.pageOfIds('job', conditions, at);
    const records = await this.ctx.fetchRecords<NsJob>('job', ids);
    return { items: await this.projects(records), nextCursor };
  }

  async getProject(id: string): Promise<Engagement> {
    const [project] = await this.projects([await this.ctx.mustFetch<NsJob>('job', await this.ctx.nativeOf('engagement', id))]);
    return project!;
  }

  async createProject(input: ProjectCreate): Promise<Engagement> {
    const customerId = await this.ctx.nativeOf('client', input.clientId, '/clientId');
    const subsidiaryId = await this.ctx.nativeOf('legal-entity', input.legalEntityId, '/legalEntityId');
    const rateCardId = input.rateCardId ? await this.ctx.nativeOf('rate-card', input.rateCardId, '/rateCardId') : undefined;
    const client = await this.getClient(input.clientId);
    if (client.defaultCurrency && client.defaultCurrency !== input.currency) {
      throw new ProblemError('business-rule-violation', {
        detail: `The project currency ${input.currency} is not the client's billing currency ${client.defaultCurrency}.`,
        errors: [{ pointer: '/currency', detail: `must be ${client.defaultCurrency}` }],
      });
    }
    checkProjectDates(input);
    const canonicalId = newId();
    const vendor = await this.ctx.toVendor([
      ['client', input.clientId, customerId],
      ['legal-entity', input.legalEntityId, subsidiaryId],
      ...(rateCardId ? [['rate-card', input.rateCardId!, rateCardId] as [ErpEntity, string, string]] : []),
    ]);
    const native = await this.ctx.connector.upsertRecord('job', canonicalId, projectToJob(input, vendor, canonicalId));
    await this.ctx.ids.link('engagement', canonicalId, native);
    return this.getProject(canonicalId);
  }

  async updateProject(id: string, update: ProjectUpdate): Promise<Engagement> {
    const native = await this.ctx.nativeOf('engagement', id);
    const current = await this.getProject(id);
    // The same rules as on create, on the project as it would be after the change.
    checkProjectDates({ startDate: current.startDate, endDate: update.endDate ?? current.endDate });
    const rateCardId = update.rateCardId ? await this.ctx.nativeOf('rate-card', update.rateCardId, '/rateCardId') : undefined;
    const vendor = await this.ctx.toVendor(rateCardId ? [['rate-card', update.rateCardId!, rateCardId]] : []);
    await this.ctx.connector.updateRecord('job', native, projectUpdateToJob(update, current.currency, vendor));
    return this.getProject(id);
  }
}

/** A project never ends before it starts: checked on create and on every update alike. */
function checkProjectDates(project: { startDate: string; endDate?: string }): void {
  if (project.endDate && project.endDate < project.startDate) {
    throw new ProblemError('validation-failed', {
      detail: `endDate ${project.endDate} is before startDate ${project.startDate}.`,
      errors: [{ pointer: '/endDate', detail: 'must not be before startDate' }],
    });
  }
}

/** A domain as the matching rules compare it; anything that is not a host name is a 400. */
function checkDomain(value: string, pointer: string): string {
  const domain = domainOf(value);
  if (!DOMAIN.test(domain) || domain.length > 253) {
    throw new ProblemError('validation-failed', {
      detail: `"${value.slice(0, 100)}" is not a web domain.`,
      errors: [{ pointer, detail: 'not a domain' }],
    });
  }
  return domain;
}
