// The Salesforce REST API payloads this layer reads and writes (API v62.0 shape), with the
// custom fields (`__c`) the layer relies on. Only the CRM system API and the CRM sandbox
// know these names; everything above sees the canonical model.

/** Every record in a query result or a GET carries its type and URL. */
export interface SfAttributes {
  type: SObjectType;
  url: string;
}

export type SObjectType = 'Account' | 'Contact' | 'Opportunity';

/** Salesforce datetimes look like `2026-03-01T09:30:00.000+0000`; dates are `YYYY-MM-DD`. */
export type SfDateTime = string;
export type SfDate = string;

interface SfSystemFields {
  attributes?: SfAttributes;
  /** 18-character case-safe id with the object's key prefix. */
  Id: string;
  CreatedDate?: SfDateTime;
  LastModifiedDate?: SfDateTime;
  SystemModstamp?: SfDateTime;
  IsDeleted?: boolean;
}

/** Billing visibility written back by the billing-status journey (picklist values). */
export type SfBillingStatus = 'Not Invoiced' | 'Invoiced' | 'Partially Paid' | 'Paid' | 'Overdue' | 'On Hold';
export type SfInvoiceStatus = 'Draft' | 'Posted' | 'Paid' | 'On Hold' | 'Cancelled';

export interface SfAccount extends SfSystemFields {
  Name: string;
  Website?: string | null;
  Phone?: string | null;
  Industry?: string | null;
  BillingCity?: string | null;
  BillingCountry?: string | null;
  /** ISO 3166-1 alpha-2, present when state and country picklists are enabled. */
  BillingCountryCode?: string | null;
  CurrencyIsoCode?: string | null;
  /** VAT or other tax registration number (custom field). */
  Tax_Id__c?: string | null;
  /** The canonical client id, an external-id field so that creation can be an idempotent upsert. */
  External_Id__c?: string | null;
  ERP_Customer_Id__c?: string | null;
  Billing_Status__c?: SfBillingStatus | null;
  Invoice_Status__c?: SfInvoiceStatus | null;
  /** Currency field in the account's CurrencyIsoCode. */
  Outstanding_Amount__c?: number | null;
}

/** The parent account's fields a query selects through the relationship (`Account.External_Id__c`); null without one. */
export type SfParentAccount = { attributes?: SfAttributes; External_Id__c?: string | null } | null;

export interface SfContact extends SfSystemFields {
  AccountId?: string | null;
  Account?: SfParentAccount;
  FirstName?: string | null;
  LastName: string;
  Email?: string | null;
  Phone?: string | null;
  Title?: string | null;
  External_Id__c?: string | null;
}

/** Standard stage picklist values of a sales process; IsClosed/IsWon derive from them. */
export type SfStageName =
  'Prospecting' | 'Qualification' | 'Needs Analysis' | 'Proposal/Price Quote' | 'Negotiation/Review' | 'Closed Won' | 'Closed Lost';

export type SfBillingModel = 'Time and Materials' | 'Fixed Fee' | 'Milestone';
export type SfErpProjectStatus = 'Pending' | 'Provisioned' | 'Active' | 'Closed' | 'Failed';

export interface SfOpportunity extends SfSystemFields {
  Name: string;
  AccountId?: string | null;
  Account?: SfParentAccount;
  StageName: SfStageName;
  /** Currency(16, 2) in the record's CurrencyIsoCode (multi-currency org). */
  Amount?: number | null;
  CurrencyIsoCode?: string | null;
  CloseDate: SfDate;
  Probability?: number | null;
  IsClosed?: boolean;
  IsWon?: boolean;
  Description?: string | null;
  // Contract terms (custom fields) filled in by sales before closing.
  Billing_Model__c?: SfBillingModel | null;
  Start_Date__c?: SfDate | null;
  End_Date__c?: SfDate | null;
  /** ISO 3166-1 alpha-2 country of the contracting legal entity. */
  Legal_Entity_Country__c?: string | null;
  /** Code of the rate card agreed for time-and-materials work. */
  Rate_Card__c?: string | null;
  External_Id__c?: string | null;
  // Written back by the opportunity-to-project and billing journeys.
  ERP_Project_Id__c?: string | null;
  ERP_Project_Status__c?: SfErpProjectStatus | null;
  Billing_Status__c?: SfBillingStatus | null;
  Invoice_Status__c?: SfInvoiceStatus | null;
}

export type SfRecord = SfAccount | SfContact | SfOpportunity;

/** POST /sobjects/{type} and PATCH upsert answers. `created` appears from API v46.0 on upserts. */
export interface SfSaveResult {
  id: string;
  success: boolean;
  errors: SfError[];
  created?: boolean;
}

/** One record's outcome in an sObject collection call; its errors say `statusCode` where single calls say `errorCode`. */
export interface SfCollectionResult {
  id?: string;
  success: boolean;
  errors: Array<{ statusCode: string; message: string; fields?: string[] }>;
  /** Upserts only: whether the record was created. */
  created?: boolean;
}

/** Errors come as an array of these. */
export interface SfError {
  message: string;
  errorCode: string;
  fields?: string[];
}

export interface SfQueryResult<T extends SfRecord = SfRecord> {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: T[];
}

/** OAuth 2.0 token endpoint answer (client-credentials flow carries no refresh token). */
export interface SfTokenResponse {
  access_token: string;
  instance_url: string;
  id: string;
  token_type: 'Bearer';
  issued_at: string;
  signature: string;
  scope?: string;
}

export interface SfOAuthError {
  error: string;
  error_description: string;
}

/** Change Data Capture event, as delivered on the change-event channel. */
export interface SfChangeEventHeader {
  entityName: SObjectType;
  recordIds: string[];
  changeType: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  /** Epoch milliseconds. */
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
  changedFields: string[];
  nulledFields: string[];
  diffFields: string[];
}

export interface SfChangeEvent {
  schema: string;
  payload: { ChangeEventHeader: SfChangeEventHeader } & Record<string, unknown>;
  event: { replayId: number };
}
