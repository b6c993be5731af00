// Pure functions between Salesforce records and the canonical CRM model, both ways.
// Ids are resolved by the caller (cross-reference store); mapping never does I/O.
import { ProblemError } from '../../core/problems.js';
import type { SfAccount, SfContact, SfOpportunity } from './vendor-types.js';
import type {
  Client,
  ClientBillingUpdate,
  ClientPatch,
  Contact,
  ContactPatch,
  Opportunity,
  OpportunityBillingUpdate,
  OpportunityPatch,
  ErpProjectLink,
} from './canonical.js';
import {
  BILLING_MODEL_TO_CANONICAL,
  BILLING_MODEL_TO_VENDOR,
  BILLING_STATUS_TO_CANONICAL,
  BILLING_STATUS_TO_VENDOR,
  ERP_STATUS_TO_CANONICAL,
  ERP_STATUS_TO_VENDOR,
  INVOICE_STATUS_TO_CANONICAL,
  INVOICE_STATUS_TO_VENDOR,
  STAGE_TO_CANONICAL,
  STAGE_TO_VENDOR,
} from './vocabulary.js';
import {
  countryCode,
  legalEntityCountry,
  lookup,
  moneyToSfAmount,
  plainDate,
  requiredDate,
  requiredText,
  sfAmountToMoney,
  timestamps,
  websiteDomain,
} from './values.js';

export {
  countryCode,
  isSalesforceId,
  KEY_PREFIXES,
  moneyToSfAmount,
  sfAmountToMoney,
  sfDateTimeToUtc,
  SF_CURRENCY_SCALE,
  utcToSfDateTime,
  websiteDomain,
} from './values.js';

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
  if (input.billingCountry !== undefined)
    out.BillingCountryCode = input.billingCountry === null ? null : input.billingCountry.toUpperCase();
  put(out, 'Tax_Id__c', input.taxId);
  put(out, 'Industry', input.industry);
  put(out, 'Phone', input.phone);
  put(out, 'CurrencyIsoCode', input.defaultCurrency);
  put(out, 'External_Id__c', externalId);
  return out;
}

export function contactToSfFields(
  input: ContactPatch,
  refs: { accountId?: string | null },
  externalId?: string,
): Partial<Writable<SfContact>> {
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
    if (terms.billingModel !== undefined)
      out.Billing_Model__c = terms.billingModel === null ? null : BILLING_MODEL_TO_VENDOR[terms.billingModel];
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
  if (update.invoiceStatus !== undefined)
    out.Invoice_Status__c = update.invoiceStatus === null ? null : INVOICE_STATUS_TO_VENDOR[update.invoiceStatus];
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

export function opportunityBillingToSfFields(
  update: OpportunityBillingUpdate,
): Pick<SfOpportunity, 'Billing_Status__c' | 'Invoice_Status__c'> {
  const out: Pick<SfOpportunity, 'Billing_Status__c' | 'Invoice_Status__c'> = {
    Billing_Status__c: BILLING_STATUS_TO_VENDOR[update.status],
  };
  if (update.invoiceStatus !== undefined)
    out.Invoice_Status__c = update.invoiceStatus === null ? null : INVOICE_STATUS_TO_VENDOR[update.invoiceStatus];
  return out;
}
