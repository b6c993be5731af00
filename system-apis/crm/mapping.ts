// Pure functions between Salesforce records and the canonical CRM model, both ways.
// Ids are resolved by the caller (cross-reference store); mapping never does I/O.
import { fromMinorNumber, minorUnits, toMinor, type Money } from '../../core/money.js';
import { isProblemError, ProblemError } from '../../core/problems.js';
import type { SfAccount, SfContact, SfDateTime, SfOpportunity, SObjectType } from './vendor-types.js';
import type {
  Client, ClientBillingUpdate, ClientPatch, Contact, ContactPatch, Opportunity, OpportunityBillingUpdate,
  OpportunityPatch, ErpProjectLink,
} from './model.js';
import {
  BILLING_MODEL_TO_CANONICAL, BILLING_MODEL_TO_VENDOR, BILLING_STATUS_TO_CANONICAL, BILLING_STATUS_TO_VENDOR,
  COUNTRY_NAMES, ERP_STATUS_TO_CANONICAL, ERP_STATUS_TO_VENDOR, INVOICE_STATUS_TO_CANONICAL, INVOICE_STATUS_TO_VENDOR,
  STAGE_TO_CANONICAL, STAGE_TO_VENDOR,
} from './vocabulary.js';

/** Salesforce currency fields hold 2 decimals (Currency(16, 2)) whatever the record's currency. */
export const SF_CURRENCY_SCALE = 2;

export const KEY_PREFIXES: Record<SObjectType, string> = { Account: '001', Contact: '003', Opportunity: '006' };

/** An 18-character id of the given object (prefix check only; the checksum is the CRM's business). */
export function isSalesforceId(value: string, type?: SObjectType): boolean {
  return /^[a-zA-Z0-9]{18}$/.test(value) && (type === undefined || value.startsWith(KEY_PREFIXES[type]));
}

/** A vendor value we cannot map is an upstream data problem (502), not a caller error. */
function upstream(detail: string): ProblemError {
  return new ProblemError('upstream-error', { detail, extensions: { platform: 'crm' } });
}

// ---- dates and times ----

/** `2026-03-01T09:30:00.000+0000` (any offset) -> RFC 3339 UTC `2026-03-01T09:30:00.000Z`. */
export function sfDateTimeToUtc(value: SfDateTime): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})$/.exec(value);
  if (!m) throw upstream(`CRM returned an unreadable datetime "${value}"`);
  const offset = m[2] === 'Z' ? 'Z' : `${m[2].slice(0, 3)}:${m[2].slice(-2)}`;
  const ms = Date.parse(`${m[1]}${offset}`);
  if (Number.isNaN(ms)) throw upstream(`CRM returned an invalid datetime "${value}"`);
  return new Date(ms).toISOString();
}

/** RFC 3339 instant -> the Salesforce datetime form in UTC. */
export function utcToSfDateTime(value: string): SfDateTime {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ProblemError('validation-failed', { detail: `"${value}" is not an RFC 3339 instant` });
  return new Date(ms).toISOString().replace('Z', '+0000');
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function plainDate(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw upstream(`CRM field ${field} holds "${value}", not a date`);
  return value;
}

// ---- small value mappings ----

/** `https://www.Acme.com/about` -> `acme.com`: the domain used for client matching. */
export function websiteDomain(website: string | null | undefined): string | null {
  if (!website) return null;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(website) ? website : `https://${website}`);
    const host = url.hostname.toLowerCase().replace(/^www\./, '');
    // Only a plain host name is a matching key (not an IP literal or an empty host).
    return /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(host) && !/^[\d.]+$/.test(host) ? host : null;
  } catch {
    return null;
  }
}

export function countryCode(account: Pick<SfAccount, 'BillingCountryCode' | 'BillingCountry'>): string | null {
  const code = account.BillingCountryCode?.trim();
  if (code && /^[A-Za-z]{2}$/.test(code)) return code.toUpperCase();
  const name = account.BillingCountry?.trim();
  if (!name) return null;
  if (/^[A-Za-z]{2}$/.test(name)) return name.toUpperCase();
  return COUNTRY_NAMES[name.toLowerCase()] ?? null;
}

function requiredDate(value: string | null | undefined, field: string): string {
  const date = plainDate(value, field);
  if (!date) throw upstream(`CRM record lacks ${field}`);
  return date;
}

function legalEntityCountry(value: string | null | undefined): string | null {
  if (!value) return null;
  const code = countryCode({ BillingCountry: value });
  if (!code) throw upstream(`CRM field Opportunity.Legal_Entity_Country__c holds "${value}", not a country`);
  return code;
}

function lookup<K extends string, V>(table: Record<K, V>, value: string | null | undefined, field: string): V | null {
  if (value === null || value === undefined || value === '') return null;
  if (!(value in table)) throw upstream(`CRM field ${field} holds "${value}", which has no canonical meaning`);
  return table[value as K];
}

/** A CRM currency amount -> canonical money; more decimals than the currency has is refused (502). */
export function sfAmountToMoney(amount: number | null | undefined, currency: string | null | undefined, field: string): Money | null {
  if (amount === null || amount === undefined) return null;
  if (!currency) throw upstream(`CRM field ${field} has an amount but the record has no CurrencyIsoCode`);
  try {
    return { amountMinor: toMinor(amount, currency), currency };
  } catch (err) {
    if (isProblemError(err)) throw upstream(`CRM field ${field}: ${err.detail}`);
    throw err;
  }
}

/** Canonical money -> a CRM currency amount; refuses (422) amounts the 2-decimal field would round. */
export function moneyToSfAmount(money: Money, field: string): number {
  const digits = minorUnits(money.currency);
  if (!Number.isSafeInteger(money.amountMinor)) {
    throw new ProblemError('validation-failed', { detail: `${field}.amountMinor must be an integer` });
  }
  if (digits > SF_CURRENCY_SCALE && money.amountMinor % 10 ** (digits - SF_CURRENCY_SCALE) !== 0) {
    throw new ProblemError('business-rule-violation', {
      detail: `${field}: the CRM stores ${SF_CURRENCY_SCALE} decimals, so ${money.currency} ${money.amountMinor} minor units would be rounded`,
    });
  }
  return fromMinorNumber(money.amountMinor, money.currency);
}

/** A field the CRM always fills (Name, LastName, StageName): anything else is an upstream data problem. */
function requiredText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw upstream(`CRM record lacks ${field}`);
  return value;
}

function timestamps(record: { CreatedDate?: string; LastModifiedDate?: string; SystemModstamp?: string }) {
  const created = record.CreatedDate ? sfDateTimeToUtc(record.CreatedDate) : undefined;
  const modified = record.LastModifiedDate ?? record.SystemModstamp;
  const updated = modified ? sfDateTimeToUtc(modified) : created;
  if (!created || !updated) throw upstream('CRM record lacks CreatedDate');
  return { createdAt: created, updatedAt: updated };
}

// ---- vendor -> canonical ----

export function accountToClient(account: SfAccount, ids: { id: string }): Client {
  const currency = account.CurrencyIsoCode ?? null;
  return {
    id: ids.id,
    name: requiredText(account.Name, 'Account.Name'),
    website: account.Website ?? null,
    domain: websiteDomain(account.Website),
    billingCountry: countryCode(account),
    taxId: account.Tax_Id__c ?? null,
    industry: account.Industry ?? null,
    phone: account.Phone ?? null,
    defaultCurrency: currency,
    status: 'active',
    billing: {
      status: lookup(BILLING_STATUS_TO_CANONICAL, account.Billing_Status__c, 'Account.Billing_Status__c'),
      invoiceStatus: lookup(INVOICE_STATUS_TO_CANONICAL, account.Invoice_Status__c, 'Account.Invoice_Status__c'),
      outstanding: sfAmountToMoney(account.Outstanding_Amount__c, currency, 'Account.Outstanding_Amount__c'),
    },
    ...timestamps(account),
  };
}

export function sfContactToContact(contact: SfContact, ids: { id: string; clientId: string | null }): Contact {
  return {
    id: ids.id,
    clientId: ids.clientId,
    givenName: contact.FirstName ?? null,
    familyName: requiredText(contact.LastName, 'Contact.LastName'),
    email: contact.Email ?? null,
    phone: contact.Phone ?? null,
    jobTitle: contact.Title ?? null,
    ...timestamps(contact),
  };
}

export function sfOpportunityToOpportunity(opp: SfOpportunity, ids: { id: string; clientId: string | null }): Opportunity {
  const known = STAGE_TO_CANONICAL[opp.StageName as keyof typeof STAGE_TO_CANONICAL];
  const isClosed = opp.IsClosed ?? (known === 'closed-won' || known === 'closed-lost');
  const isWon = opp.IsWon ?? known === 'closed-won';
  // A custom sales process may name its stages freely; IsClosed/IsWon still say where it stands.
  const stage = known ?? (isWon ? 'closed-won' : isClosed ? 'closed-lost' : 'open');
  const erpStatus = lookup(ERP_STATUS_TO_CANONICAL, opp.ERP_Project_Status__c, 'Opportunity.ERP_Project_Status__c');
  return {
    id: ids.id,
    clientId: ids.clientId,
    name: requiredText(opp.Name, 'Opportunity.Name'),
    stage,
    stageLabel: requiredText(opp.StageName, 'Opportunity.StageName'),
    isClosed,
    isWon,
    amount: sfAmountToMoney(opp.Amount, opp.CurrencyIsoCode, 'Opportunity.Amount'),
    closeDate: requiredDate(opp.CloseDate, 'Opportunity.CloseDate'),
    probability: opp.Probability ?? null,
    contractTerms: {
      billingModel: lookup(BILLING_MODEL_TO_CANONICAL, opp.Billing_Model__c, 'Opportunity.Billing_Model__c'),
      startDate: plainDate(opp.Start_Date__c, 'Opportunity.Start_Date__c'),
      endDate: plainDate(opp.End_Date__c, 'Opportunity.End_Date__c'),
      legalEntityCountry: legalEntityCountry(opp.Legal_Entity_Country__c),
      rateCardCode: opp.Rate_Card__c ?? null,
    },
    erpProject: opp.ERP_Project_Id__c ? { projectId: opp.ERP_Project_Id__c, status: erpStatus ?? 'pending' } : null,
    billing: {
      status: lookup(BILLING_STATUS_TO_CANONICAL, opp.Billing_Status__c, 'Opportunity.Billing_Status__c'),
      invoiceStatus: lookup(INVOICE_STATUS_TO_CANONICAL, opp.Invoice_Status__c, 'Opportunity.Invoice_Status__c'),
    },
    ...timestamps(opp),
  };
}

// ---- canonical -> vendor (only the fields present are written; null clears) ----

type Writable<T> = Omit<T, 'Id' | 'attributes' | 'CreatedDate' | 'LastModifiedDate' | 'SystemModstamp' | 'IsDeleted'>;

function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

export function clientToAccountFields(input: ClientPatch, externalId?: string): Partial<Writable<SfAccount>> {
  const out: Partial<Writable<SfAccount>> = {};
  put(out, 'Name', input.name);
  put(out, 'Website', input.website);
  if (input.billingCountry !== undefined) out.BillingCountryCode = input.billingCountry === null ? null : input.billingCountry.toUpperCase();
  put(out, 'Tax_Id__c', input.taxId);
  put(out, 'Industry', input.industry);
  put(out, 'Phone', input.phone);
  put(out, 'CurrencyIsoCode', input.defaultCurrency);
  put(out, 'External_Id__c', externalId);
  return out;
}

export function contactToSfFields(input: ContactPatch, refs: { accountId?: string | null }, externalId?: string): Partial<Writable<SfContact>> {
  const out: Partial<Writable<SfContact>> = {};
  put(out, 'AccountId', refs.accountId);
  put(out, 'FirstName', input.givenName);
  put(out, 'LastName', input.familyName);
  put(out, 'Email', input.email);
  put(out, 'Phone', input.phone);
  put(out, 'Title', input.jobTitle);
  put(out, 'External_Id__c', externalId);
  return out;
}

export function opportunityToSfFields(
  input: OpportunityPatch,
  refs: { accountId?: string },
  externalId?: string,
): Partial<Writable<SfOpportunity>> {
  const out: Partial<Writable<SfOpportunity>> = {};
  put(out, 'AccountId', refs.accountId);
  put(out, 'Name', input.name);
  if (input.stage !== undefined) out.StageName = STAGE_TO_VENDOR[input.stage];
  if (input.amount !== undefined) {
    out.Amount = input.amount === null ? null : moneyToSfAmount(input.amount, 'amount');
    if (input.amount) out.CurrencyIsoCode = input.amount.currency;
  }
  put(out, 'CloseDate', input.closeDate);
  put(out, 'Probability', input.probability);
  const terms = input.contractTerms;
  if (terms) {
    if (terms.billingModel !== undefined) out.Billing_Model__c = terms.billingModel === null ? null : BILLING_MODEL_TO_VENDOR[terms.billingModel];
    put(out, 'Start_Date__c', terms.startDate);
    put(out, 'End_Date__c', terms.endDate);
    if (terms.legalEntityCountry !== undefined) out.Legal_Entity_Country__c = terms.legalEntityCountry?.toUpperCase() ?? null;
    put(out, 'Rate_Card__c', terms.rateCardCode);
  }
  put(out, 'External_Id__c', externalId);
  return out;
}

export function erpProjectToSfFields(link: ErpProjectLink): Pick<SfOpportunity, 'ERP_Project_Id__c' | 'ERP_Project_Status__c'> {
  return { ERP_Project_Id__c: link.projectId, ERP_Project_Status__c: ERP_STATUS_TO_VENDOR[link.status] };
}

/**
 * Billing visibility for an account. A record's currency fields are all in its CurrencyIsoCode,
 * so an outstanding amount in another currency is refused (422) rather than switching the
 * account's currency, which would convert every other amount on it.
 */
export function clientBillingToSfFields(
  update: ClientBillingUpdate,
  accountCurrency: string | null,
): Pick<SfAccount, 'Billing_Status__c' | 'Invoice_Status__c' | 'Outstanding_Amount__c' | 'CurrencyIsoCode'> {
  const out: Pick<SfAccount, 'Billing_Status__c' | 'Invoice_Status__c' | 'Outstanding_Amount__c' | 'CurrencyIsoCode'> = {
    Billing_Status__c: BILLING_STATUS_TO_VENDOR[update.status],
  };
  if (update.invoiceStatus !== undefined) out.Invoice_Status__c = update.invoiceStatus === null ? null : INVOICE_STATUS_TO_VENDOR[update.invoiceStatus];
  if (update.outstanding) {
    if (accountCurrency && update.outstanding.currency !== accountCurrency) {
      throw new ProblemError('business-rule-violation', {
        detail: `outstanding is in ${update.outstanding.currency}, but the client's CRM amounts are in ${accountCurrency}.`,
        errors: [{ pointer: '/outstanding/currency', detail: `must be ${accountCurrency}` }],
      });
    }
    out.Outstanding_Amount__c = moneyToSfAmount(update.outstanding, 'outstanding');
    if (!accountCurrency) out.CurrencyIsoCode = update.outstanding.currency;
  } else if (update.outstanding === null) {
    out.Outstanding_Amount__c = null;
  }
  return out;
}

export function opportunityBillingToSfFields(update: OpportunityBillingUpdate): Pick<SfOpportunity, 'Billing_Status__c' | 'Invoice_Status__c'> {
  const out: Pick<SfOpportunity, 'Billing_Status__c' | 'Invoice_Status__c'> = { Billing_Status__c: BILLING_STATUS_TO_VENDOR[update.status] };
  if (update.invoiceStatus !== undefined) out.Invoice_Status__c = update.invoiceStatus === null ? null : INVOICE_STATUS_TO_VENDOR[update.invoiceStatus];
  return out;
}
