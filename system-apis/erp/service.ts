// The ERP system API as a typed in-process API: what process APIs call (through
// `systemApis.erp`) and what the HTTP routes map to. Canonical in, canonical out.
import type { Page } from '../../core/paging.js';
import type {
  Client,
  ClientMatchRequest,
  ClientMatchResult,
  ClientUpdate,
  Engagement,
  Invoice,
  InvoiceCreate,
  InvoiceStatus,
  LegalEntity,
  Milestone,
  MilestoneBilling,
  MilestoneCompletion,
  Payment,
  PaymentCreate,
  ProjectCreate,
  ProjectUpdate,
  RateCard,
} from './canonical.js';
import { ErpBilling } from './service-billing.js';
import { ErpBillingChanges, type BillingFeedPage, type BillingFeedPosition } from './service-billing-changes.js';
import { ErpContext, type ErpSystemApiDeps, type PageRequest } from './service-context.js';
import { ErpMasterData } from './service-master-data.js';
import { ErpMilestones, type MilestoneQuery } from './service-milestones.js';
import type { ErpEntity } from './ids.js';
import { recordLinksOf } from '../kit/record-links.js';
import { erpDocumentLink, erpRecordUrl, erpUiBase, type ErpRecordLink } from './links.js';
import type { BillingDocumentType } from './webhooks.js';

export type { ErpSystemApiDeps, PageRequest } from './service-context.js';
export type { MilestoneQuery } from './service-milestones.js';
export type { BillingFeedChange, BillingFeedPage, BillingFeedPosition } from './service-billing-changes.js';

export interface ErpSystemApi {
  listLegalEntities(page: PageRequest): Promise<Page<LegalEntity>>;
  getLegalEntity(id: string): Promise<LegalEntity>;
  listRateCards(page: PageRequest & { legalEntityId?: string }): Promise<Page<RateCard>>;
  getRateCard(id: string): Promise<RateCard>;
  listClients(page: PageRequest & { legalEntityId?: string }): Promise<Page<Client>>;
  getClient(id: string): Promise<Client>;
  /** Finds the client by the matching rules or creates it exactly once. */
  findOrCreateClient(input: ClientMatchRequest): Promise<ClientMatchResult>;
  updateClient(id: string, update: ClientUpdate): Promise<Client>;
  listProjects(page: PageRequest & { clientId?: string }): Promise<Page<Engagement>>;
  getProject(id: string): Promise<Engagement>;
  createProject(input: ProjectCreate): Promise<Engagement>;
  updateProject(id: string, update: ProjectUpdate): Promise<Engagement>;
  listInvoices(page: PageRequest & { clientId?: string; engagementId?: string; status?: InvoiceStatus }): Promise<Page<Invoice>>;
  getInvoice(id: string): Promise<Invoice>;
  createInvoice(input: InvoiceCreate): Promise<Invoice>;
  /** As createInvoice; with `sequence`, answers the invoice ERP already holds for that key (`created: false`). */
  findOrCreateInvoice(input: InvoiceCreate): Promise<{ invoice: Invoice; created: boolean }>;
  postInvoice(id: string): Promise<Invoice>;
  holdInvoice(id: string, reason: string): Promise<Invoice>;
  releaseInvoice(id: string): Promise<Invoice>;
  listPayments(page: PageRequest & { clientId?: string; invoiceId?: string }): Promise<Page<Payment>>;
  getPayment(id: string): Promise<Payment>;
  recordPayment(input: PaymentCreate): Promise<Payment>;
  /** The canonical ids of the invoices an ERP billing document (from a webhook or the feed) touches. */
  invoicesAffectedBy(document: string): Promise<string[]>;
  /**
   * Internal ids and record pages (for a person to open) of canonical records, read in bulk; ids ERP
   * never had are left out, and a record type NetSuite shows on no page of its own has no URL.
   */
  recordLinks(entity: ErpEntity, canonicalIds: readonly string[]): Promise<Map<string, ErpRecordLink>>;
  /** The internal id, record type and page of a billing document as the feed and webhooks name it; undefined if not one. */
  documentLink(document: string): (ErpRecordLink & { type: BillingDocumentType; url: string }) | undefined;
  /** Where a new billing change feed starts: after the newest change ERP holds. */
  billingFeedStart(): Promise<BillingFeedPosition>;
  /** One page of billing changes (invoices, payments, credit memos, refunds) after a position, oldest first. */
  billingChangesSince(from: BillingFeedPosition, limit?: number): Promise<BillingFeedPage>;
  listMilestones(page: MilestoneQuery): Promise<Page<Milestone>>;
  getMilestone(id: string): Promise<Milestone>;
  /** Completes a milestone (again on the same day: unchanged). */
  markMilestoneCompleted(id: string, input?: MilestoneCompletion): Promise<Milestone>;
  /** Records the invoice that billed a completed milestone (the same invoice again: unchanged). */
  markMilestoneBilled(id: string, input: MilestoneBilling): Promise<Milestone>;
}

export function createErpSystemApi(deps: ErpSystemApiDeps): ErpSystemApi {
  const ctx = new ErpContext(deps);
  const masterData = new ErpMasterData(ctx);
  const billing = new ErpBilling(ctx, masterData);
  const milestones = new ErpMilestones(ctx, billing);
  const changes = new ErpBillingChanges(ctx, billing);
  const uiBase = erpUiBase(deps.connector.baseUrl, deps.accountId);
  return {
    listLegalEntities: (page) => masterData.listLegalEntities(page),
    getLegalEntity: (id) => masterData.getLegalEntity(id),
    listRateCards: (page) => masterData.listRateCards(page),
    getRateCard: (id) => masterData.getRateCard(id),
    listClients: (page) => masterData.listClients(page),
    getClient: (id) => masterData.getClient(id),
    findOrCreateClient: (input) => masterData.findOrCreateClient(input),
    updateClient: (id, update) => masterData.updateClient(id, update),
    listProjects: (page) => masterData.listProjects(page),
    getProject: (id) => masterData.getProject(id),
    createProject: (input) => masterData.createProject(input),
    updateProject: (id, update) => masterData.updateProject(id, update),
    listInvoices: (page) => billing.listInvoices(page),
    getInvoice: (id) => billing.getInvoice(id),
    createInvoice: (input) => billing.createInvoice(input),
    findOrCreateInvoice: (input) => billing.findOrCreateInvoice(input),
    postInvoice: (id) => billing.postInvoice(id),
    holdInvoice: (id, reason) => billing.holdInvoice(id, reason),
    releaseInvoice: (id) => billing.releaseInvoice(id),
    listPayments: (page) => billing.listPayments(page),
    recordLinks: (entity, canonicalIds) =>
      recordLinksOf(ctx.ids, entity, canonicalIds, (nativeId) => erpRecordUrl(uiBase, entity, nativeId) ?? null),
    documentLink: (document) => erpDocumentLink(uiBase, document),
    getPayment: (id) => billing.getPayment(id),
    recordPayment: (input) => billing.recordPayment(input),
    invoicesAffectedBy: (document) => changes.invoicesAffectedBy(document),
    billingFeedStart: () => changes.feedStart(),
    billingChangesSince: (from, limit) => changes.changesSince(from, limit),
    listMilestones: (page) => milestones.listMilestones(page),
    getMilestone: (id) => milestones.getMilestone(id),
    markMilestoneCompleted: (id, input) => milestones.markCompleted(id, input),
    markMilestoneBilled: (id, input) => milestones.markBilled(id, input),
  };
}
