// Pure mappings between NetSuite master-data records and the canonical ERP resources, both
// ways, and the helpers every mapping shares (dates, amounts, rounding). Ids are translated
// through a context the service fills from the xref store first. Billing: mapping-billing.ts.
import { minorToDecimalNumber, decimalToMinor } from '../../core/money.js';
import { ProblemError } from '../../core/problems.js';
import type {
  BillingModel,
  Client,
  ClientMatchRequest,
  ClientUpdate,
  Engagement,
  EngagementStatus,
  LegalEntity,
  Money,
  ProjectCreate,
  ProjectUpdate,
  RateCard,
} from './canonical.js';
import type { NsCustomer, NsJob, NsJobBillingTypeId, NsRateCard, NsRef, NsSubsidiary } from './vendor-types.js';

import type { ErpEntity } from './ids.js';

export type { ErpEntity } from './ids.js';

/** Vendor → canonical lookups, synchronous because the service resolves ids beforehand. */
export interface ToCanonicalContext {
  currencyCode(nsCurrencyId: string): string;
  canonicalId(entity: ErpEntity, nativeId: string): string;
}

/** Canonical → vendor lookups. */
export interface ToVendorContext {
  nsCurrencyId(currencyCode: string): string;
  nativeId(entity: ErpEntity, canonicalId: string): string;
}

// ---- dates, times and amounts --------------------------------------------------------

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CODE = /^[A-Z0-9]+(-[A-Z0-9]+)*$/;
export const ROLE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const TAX_ID = /^[A-Z0-9][A-Z0-9 .-]*$/;

export function upstream(detail: string): ProblemError {
  return new ProblemError('upstream-error', { detail: `ERP returned unusable data: ${detail}`, extensions: { platform: 'erp' } });
}

/** A document date as `YYYY-MM-DD`; vendor data that is not one is an upstream error. */
export function plainDate(value: string | undefined | null, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const valid = PLAIN_DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
  if (!valid) throw upstream(`${field} "${value}" is not a date (YYYY-MM-DD)`);
  return value;
}

export function requiredDate(value: string | undefined | null, field: string): string {
  const date = plainDate(value, field);
  if (!date) throw upstream(`${field} is missing`);
  return date;
}

/** A vendor timestamp (any RFC 3339 offset) as an RFC 3339 UTC instant without milliseconds. */
export function instant(value: string | undefined, field: string): string | undefined {
  if (!value) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw upstream(`${field} "${value}" is not an RFC 3339 timestamp`);
  }
  return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function requiredInstant(value: string | undefined, field: string): string {
  const at = instant(value, field);
  if (!at) throw upstream(`${field} is missing`);
  return at;
}

/** A vendor decimal amount to minor units; more precision than the currency has is refused. */
export function vendorAmount(value: number | string | undefined | null, currency: string, field: string): Money {
  try {
    return { amountMinor: decimalToMinor(value ?? 0, currency), currency };
  } catch (err) {
    throw upstream(`${field}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A canonical amount as a vendor decimal; it must be in the document's currency. */
export function canonicalAmount(money: Money, currency: string, pointer: string): number {
  if (money.currency !== currency) {
    throw new ProblemError('validation-failed', {
      detail: `${pointer} is in ${money.currency} but the document currency is ${currency}`,
      errors: [{ pointer: `${pointer}/currency`, detail: `must be ${currency}` }],
    });
  }
  return minorToDecimalNumber(money.amountMinor, currency);
}

const ref = (id: string): NsRef => ({ id });

export function canonicalRef(value: string | undefined): string | undefined {
  return value && UUID_V7.test(value) ? value : undefined;
}

/** `Senior Consultant` → `senior-consultant`; codes pass through. */
export function roleCode(role: string): string {
  return role
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

// ---- legal entities and rate cards ------------------------------------------------------

export function subsidiaryToLegalEntity(ns: NsSubsidiary, ctx: ToCanonicalContext): LegalEntity {
  const country = ns.country.toUpperCase();
  const code = ns.tranPrefix?.toUpperCase();
  const taxId = ns.federalIdNumber?.toUpperCase();
  return {
    id: ctx.canonicalId('legal-entity', ns.id),
    code: code && CODE.test(code) ? code : `LE-${ns.id}`,
    name: ns.name,
    ...(ns.legalName ? { legalName: ns.legalName } : {}),
    country,
    baseCurrency: ctx.currencyCode(ns.currency.id),
    ...(taxId && TAX_ID.test(taxId) ? { taxRegistrationId: taxId } : {}),
    taxRulesRef: ns.custrecord_tax_rules_ref ?? `${country}-STANDARD`,
    status: ns.isInactive ? 'inactive' : 'active',
  };
}

const RATE_CARD_STATUS: Record<string, RateCard['status']> = { '1': 'draft', '2': 'active', '3': 'superseded' };

export function rateCardToCanonical(ns: NsRateCard, ctx: ToCanonicalContext): RateCard {
  const currency = ctx.currencyCode(ns.custrecord_rc_currency.id);
  let rows: Array<{ role?: unknown; rate?: unknown }>;
  try {
    rows = JSON.parse(ns.custrecord_rc_rates) as typeof rows;
    if (!Array.isArray(rows) || rows.length === 0) throw new Error('no rates');
  } catch {
    throw upstream(`rate card ${ns.id} has unreadable rates`);
  }
  return {
    id: ctx.canonicalId('rate-card', ns.id),
    name: ns.name,
    currency,
    legalEntityId: ctx.canonicalId('legal-entity', ns.custrecord_rc_subsidiary.id),
    ...(ns.custrecord_rc_customer ? { clientId: ctx.canonicalId('client', ns.custrecord_rc_customer.id) } : {}),
    effectiveFrom: requiredDate(ns.custrecord_rc_effective_from, 'custrecord_rc_effective_from'),
    effectiveTo: plainDate(ns.custrecord_rc_effective_to, 'custrecord_rc_effective_to') ?? null,
    rates: rows.map((row, i) => {
      const role = roleCode(String(row.role ?? ''));
      if (!ROLE.test(role)) throw upstream(`rate card ${ns.id} rate ${i} has no role`);
      return { role, hourlyRate: vendorAmount(row.rate as number | string, currency, `custrecord_rc_rates[${i}].rate`) };
    }),
    status: RATE_CARD_STATUS[ns.custrecord_rc_status?.id ?? '2'] ?? 'active',
  };
}

// ---- clients (customers) ----------------------------------------------------------------

/** The host of a web address or e-mail, lower case, without `www.`. */
export function domainOf(urlOrHost: string): string {
  let host = urlOrHost.trim().toLowerCase();
  if (host.includes('@')) host = host.slice(host.lastIndexOf('@') + 1);
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').split(/[/?#:]/)[0] ?? '';
  return host.replace(/^www\./, '').replace(/\.$/, '');
}

export function customerToClient(ns: NsCustomer, ctx: ToCanonicalContext, fallbackCountry: string): Client {
  const taxId = ns.vatRegNumber?.trim().toUpperCase();
  const country = (ns.custentity_billing_country ?? fallbackCountry).toUpperCase();
  return {
    id: ctx.canonicalId('client', ns.id),
    name: ns.companyName,
    billingCountry: country,
    defaultCurrency: ctx.currencyCode(ns.currency.id),
    ...(taxId && TAX_ID.test(taxId) ? { taxId } : {}),
    legalEntityId: ctx.canonicalId('legal-entity', ns.subsidiary.id),
    status: ns.isInactive ? 'inactive' : 'active',
    createdAt: requiredInstant(ns.dateCreated, 'dateCreated'),
    updatedAt: requiredInstant(ns.lastModifiedDate ?? ns.dateCreated, 'lastModifiedDate'),
  };
}

/** The customer body for the find-or-create upsert. */
export function clientToCustomer(
  input: ClientMatchRequest,
  currency: string,
  ctx: ToVendorContext,
  canonicalId: string,
): Record<string, unknown> {
  return {
    companyName: input.name,
    isPerson: false,
    subsidiary: ref(ctx.nativeId('legal-entity', input.legalEntityId)),
    currency: ref(ctx.nsCurrencyId(currency)),
    custentity_billing_country: input.billingCountry,
    ...(input.domain ? { url: `https://${domainOf(input.domain)}` } : {}),
    ...(input.taxId ? { vatRegNumber: input.taxId } : {}),
    custentity_canonical_id: canonicalId,
  };
}

export function clientUpdateToCustomer(update: ClientUpdate): Record<string, unknown> {
  return {
    ...(update.name !== undefined ? { companyName: update.name } : {}),
    ...(update.billingCountry !== undefined ? { custentity_billing_country: update.billingCountry } : {}),
    ...(update.taxId !== undefined ? { vatRegNumber: update.taxId } : {}),
    ...(update.domain !== undefined ? { url: `https://${domainOf(update.domain)}` } : {}),
    ...(update.status !== undefined ? { isInactive: update.status === 'inactive' } : {}),
  };
}

// ---- projects (jobs) ----------------------------------------------------------------------

const BILLING_TYPES: Record<NsJobBillingTypeId, BillingModel> = {
  TM: 'time-and-materials',
  CB: 'time-and-materials', // charge-based projects bill by charge rules, closest to T&M
  FBI: 'fixed-fee',
  FBM: 'milestone',
};
const BILLING_TYPE_IDS: Record<BillingModel, { id: NsJobBillingTypeId }> = {
  'time-and-materials': { id: 'TM' },
  'fixed-fee': { id: 'FBI' },
  milestone: { id: 'FBM' },
};
const JOB_STATUSES: Record<string, EngagementStatus> = { '4': 'draft', '2': 'active', '5': 'on-hold', '1': 'completed', '3': 'cancelled' };
const JOB_STATUS_IDS: Record<EngagementStatus, string> = { draft: '4', active: '2', 'on-hold': '5', completed: '1', cancelled: '3' };

export function jobToEngagement(ns: NsJob, ctx: ToCanonicalContext): Engagement {
  const currency = ctx.currencyCode(ns.currency.id);
  const billingModel = BILLING_TYPES[ns.jobBillingType?.id];
  if (!billingModel) throw upstream(`job ${ns.id} has unknown billing type ${JSON.stringify(ns.jobBillingType?.id)}`);
  const status = JOB_STATUSES[ns.entityStatus?.id];
  if (!status) throw upstream(`job ${ns.id} has unknown status ${JSON.stringify(ns.entityStatus?.id)}`);
  const code = ns.entityId?.toUpperCase();
  const opportunityId = canonicalRef(ns.custentity_opportunity_id);
  const endDate = plainDate(ns.projectedEndDate, 'projectedEndDate');
  return {
    id: ctx.canonicalId('engagement', ns.id),
    clientId: ctx.canonicalId('client', ns.parent.id),
    ...(opportunityId ? { opportunityId } : {}),
    ...(code && CODE.test(code) && code.length <= 32 ? { code } : {}),
    name: ns.companyName,
    billingModel,
    currency,
    legalEntityId: ctx.canonicalId('legal-entity', ns.subsidiary.id),
    ...(ns.custentity_rate_card ? { rateCardId: ctx.canonicalId('rate-card', ns.custentity_rate_card.id) } : {}),
    ...(ns.estimatedRevenue !== undefined && ns.estimatedRevenue !== null
      ? { budget: vendorAmount(ns.estimatedRevenue, currency, 'estimatedRevenue') }
      : {}),
    // A job without a start date started when it was created.
    startDate: plainDate(ns.startDate, 'startDate') ?? requiredInstant(ns.dateCreated, 'dateCreated').slice(0, 10),
    ...(endDate ? { endDate } : {}),
    status,
    billingHold: Boolean(ns.custentity_billing_hold),
    createdAt: requiredInstant(ns.dateCreated, 'dateCreated'),
    updatedAt: requiredInstant(ns.lastModifiedDate ?? ns.dateCreated, 'lastModifiedDate'),
  };
}

export function projectToJob(input: ProjectCreate, ctx: ToVendorContext, canonicalId: string): Record<string, unknown> {
  return {
    companyName: input.name,
    parent: ref(ctx.nativeId('client', input.clientId)),
    subsidiary: ref(ctx.nativeId('legal-entity', input.legalEntityId)),
    currency: ref(ctx.nsCurrencyId(input.currency)),
    jobBillingType: BILLING_TYPE_IDS[input.billingModel],
    entityStatus: { id: JOB_STATUS_IDS[input.status ?? 'draft'] },
    startDate: input.startDate,
    ...(input.endDate ? { projectedEndDate: input.endDate } : {}),
    ...(input.budget ? { estimatedRevenue: canonicalAmount(input.budget, input.currency, '/budget') } : {}),
    ...(input.rateCardId ? { custentity_rate_card: ref(ctx.nativeId('rate-card', input.rateCardId)) } : {}),
    ...(input.opportunityId ? { custentity_opportunity_id: input.opportunityId } : {}),
    custentity_billing_hold: input.billingHold ?? false,
    custentity_canonical_id: canonicalId,
  };
}

export function projectUpdateToJob(update: ProjectUpdate, currency: string, ctx: ToVendorContext): Record<string, unknown> {
  return {
    ...(update.name !== undefined ? { companyName: update.name } : {}),
    ...(update.rateCardId !== undefined ? { custentity_rate_card: ref(ctx.nativeId('rate-card', update.rateCardId)) } : {}),
    ...(update.budget !== undefined ? { estimatedRevenue: canonicalAmount(update.budget, currency, '/budget') } : {}),
    ...(update.endDate !== undefined ? { projectedEndDate: update.endDate } : {}),
    ...(update.status !== undefined ? { entityStatus: { id: JOB_STATUS_IDS[update.status] } } : {}),
    ...(update.billingHold !== undefined ? { custentity_billing_hold: update.billingHold } : {}),
  };
}
