// The canonical CRM resources, as the contract (openapi/system/crm.v1.yaml) defines them:
// aliases of the generated types, so that mapping, service, routes and tests share one type.
import type { components } from '../../generated/openapi/system/crm.v1.js';

type Schemas = components['schemas'];

export type { Money } from '../../core/money.js';
export type BillingStatus = Schemas['BillingStatus'];
export type InvoiceStatus = Schemas['InvoiceStatus'];
export type ErpProjectStatus = Schemas['ErpProjectStatus'];
export type BillingModel = NonNullable<Schemas['ContractTerms']['billingModel']>;
export type OpportunityStage = Schemas['OpportunityStage'];

export type Client = Schemas['CrmClient'];
export type ClientBilling = Schemas['ClientBilling'];
export type ClientInput = Schemas['CrmClientInput'];
export type ClientPatch = Schemas['CrmClientPatch'];
export type ClientBillingUpdate = Schemas['ClientBillingUpdate'];
export type ClientPage = Schemas['CrmClientPage'];

export type Contact = Schemas['CrmContact'];
export type ContactInput = Schemas['CrmContactInput'];
export type ContactPatch = Schemas['CrmContactPatch'];
export type ContactPage = Schemas['CrmContactPage'];

export type Opportunity = Schemas['Opportunity'];
export type ContractTerms = Schemas['ContractTerms'];
export type ErpProjectLink = Schemas['ErpProjectLink'];
export type OpportunityInput = Schemas['OpportunityInput'];
export type OpportunityPatch = Schemas['OpportunityPatch'];
export type OpportunityBillingUpdate = Schemas['OpportunityBillingUpdate'];
export type OpportunityPage = Schemas['OpportunityPage'];
