// The ERP system API as a typed in-process API: what process APIs call (through
// `services.erpSystem`) and what the HTTP routes map to. Canonical in, canonical out.
import type { Client, ClientMatchRequest, ClientMatchResult, ClientUpdate, Engagement, Invoice, InvoiceCreate, InvoiceStatus, LegalEntity, Page, Payment, PaymentCreate, ProjectCreate, ProjectUpdate, RateCard } from './canonical.js';
import { ErpBilling } from './service-billing.js';
import { ErpContext, type ErpSystemApiDeps, type PageRequest } from './service-context.js';
import { ErpMasterData } from './service-master-data.js';

export type { ErpSystemApiDeps, PageRequest } from './service-context.js';

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
  postInvoice(id: string): Promise<Invoice>;
  holdInvoice(id: string, reason: string): Promise<Invoice>;
  releaseInvoice(id: string): Promise<Invoice>;
  listPayments(page: PageRequest & { clientId?: string; invoiceId?: string }): Promise<Page<Payment>>;
  getPayment(id: string): Promise<Payment>;
  recordPayment(input: PaymentCreate): Promise<Payment>;
}

export function createErpSystemApi(deps: ErpSystemApiDeps): ErpSystemApi {
  const ctx = new ErpContext(deps);
  const masterData = new ErpMasterData(ctx);
  const billing = new ErpBilling(ctx, masterData);
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
    postInvoice: (id) => billing.postInvoice(id),
    holdInvoice: (id, reason) => billing.holdInvoice(id, reason),
    releaseInvoice: (id) => billing.releaseInvoice(id),
    listPayments: (page) => billing.listPayments(page),
    getPayment: (id) => billing.getPayment(id),
    recordPayment: (input) => billing.recordPayment(input),
  };
}
