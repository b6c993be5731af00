// The canonical ERP resources, as the contract (openapi/system/erp.v1.yaml) defines them:
// aliases of the generated types, so that contract, mapping, service and tests share one type.
import type { components } from '../../generated/openapi/system/erp.v1.js';

type Schemas = components['schemas'];

export type Money = Schemas['Money'];
export type LegalEntity = Schemas['ErpLegalEntity'];
export type RateCard = Schemas['RateCard'];
export type Client = Schemas['Client'];
export type Engagement = Schemas['Engagement'];
export type EngagementStatus = Schemas['EngagementStatus'];
export type BillingModel = Schemas['BillingModel'];
export type Invoice = Schemas['Invoice'];
export type InvoiceLine = Schemas['InvoiceLine'];
export type InvoiceStatus = Schemas['InvoiceStatus'];
export type SourceRef = Schemas['SourceRef'];
export type Payment = Schemas['Payment'];
export type Milestone = Schemas['Milestone'];
export type MilestoneStatus = Schemas['MilestoneStatus'];
export type MilestoneBillingStatus = Milestone['billingStatus'];

export type ClientMatchRequest = Schemas['ClientMatchRequest'];
export type ClientMatchResult = Schemas['ClientMatchResult'];
export type ClientUpdate = Schemas['ClientUpdate'];
export type ProjectCreate = Schemas['ProjectCreate'];
export type ProjectUpdate = Schemas['ProjectUpdate'];
export type InvoiceCreate = Schemas['InvoiceCreate'];
export type InvoiceLineInput = Schemas['InvoiceLineInput'];
export type InvoiceHold = Schemas['InvoiceHold'];
export type PaymentCreate = Schemas['PaymentCreate'];
export type MilestoneCompletion = Schemas['MilestoneCompletion'];
export type MilestoneBilling = Schemas['MilestoneBilling'];
