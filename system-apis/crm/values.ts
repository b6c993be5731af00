// Field-level values between Salesforce and the canonical model: ids, datetimes and dates,
// domains and countries, money, and the upstream-data errors raised when a value is unusable.
import { minorToDecimalNumber, minorUnits, decimalToMinor, type Money } from '../../core/money.js';
import { isProblemError, ProblemError } from '../../core/problems.js';
import type { SfAccount, SfDateTime, SObjectType } from './vendor-types.js';
import { COUNTRY_NAMES } from './vocabulary.js';

/** Salesforce currency fields hold 2 decimals (Currency(16, 2)) whatever the record's currency. */
export const SF_CURRENCY_SCALE = 2;

export const KEY_PREFIXES: Record<SObjectType, string> = { Account: '001', Contact: '003', Opportunity: '006' };

/** An 18-character id of the given object (prefix check only; the checksum is the CRM's business). */
export function isSalesforceId(value: string, type?: SObjectType): boolean {
  return /^[a-zA-Z0-9]{18}$/.test(value) && (type === undefined || value.startsWith(KEY_PREFIXES[type]));
}

/** A vendor value we cannot map is an upstream data problem (502), not a caller error. */
export function upstream(detail: string): ProblemError {
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
export function plainDate(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw upstream(`CRM field ${field} holds "${value}", not a date`);
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

export function requiredDate(value: string | null | undefined, field: string): string {
  const date = plainDate(value, field);
  if (!date) throw upstream(`CRM record lacks ${field}`);
  return date;
}

export function legalEntityCountry(value: string | null | undefined): string | null {
  if (!value) return null;
  const code = countryCode({ BillingCountry: value });
  if (!code) throw upstream(`CRM field Opportunity.Legal_Entity_Country__c holds "${value}", not a country`);
  return code;
}

export function lookup<K extends string, V>(table: Record<K, V>, value: string | null | undefined, field: string): V | null {
  if (value === null || value === undefined || value === '') return null;
  if (!(value in table)) throw upstream(`CRM field ${field} holds "${value}", which has no canonical meaning`);
  return table[value as K];
}

/** A CRM currency amount -> canonical money; more decimals than the currency has is refused (502). */
export function sfAmountToMoney(amount: number | null | undefined, currency: string | null | undefined, field: string): Money | null {
  if (amount === null || amount === undefined) return null;
  if (!currency) throw upstream(`CRM field ${field} has an amount but the record has no CurrencyIsoCode`);
  try {
    return { amountMinor: decimalToMinor(amount, currency), currency };
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
  return minorToDecimalNumber(money.amountMinor, money.currency);
}

/** A field the CRM always fills (Name, LastName, StageName): anything else is an upstream data problem. */
export function requiredText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw upstream(`CRM record lacks ${field}`);
  return value;
}

export function timestamps(record: { CreatedDate?: string; LastModifiedDate?: string; SystemModstamp?: string }) {
  const created = record.CreatedDate ? sfDateTimeToUtc(record.CreatedDate) : undefined;
  const modified = record.LastModifiedDate ?? record.SystemModstamp;
  const updated = modified ? sfDateTimeToUtc(modified) : created;
  if (!created || !updated) throw upstream('CRM record lacks CreatedDate');
  return { createdAt: created, updatedAt: updated };
}
