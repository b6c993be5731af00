// Regional rules as data (legal-entities.yaml): which legal entity serves a billing
// country, the tax it charges and how it numbers invoices. The global model stays free of them.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { allocate, isKnownCurrency, taxOnNetMinor, type Money, type RoundingMode } from '../money.js';
import { ProblemError } from '../problems.js';
import { projectFile } from '../project-root.js';

const country = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2');
const basisPoints = z.number().int().min(0).max(10_000);

const legalEntitySchema = z.object({
  code: z.string().regex(/^[A-Z0-9]{2,10}$/),
  name: z.string().min(1),
  country,
  currency: z.string().refine(isKnownCurrency, 'ISO 4217 currency code'),
  billingCountries: z.array(country).min(1),
  paymentTermsDays: z.number().int().min(0).max(365),
  tax: z.object({
    scheme: z.enum(['vat', 'sales-tax', 'none']),
    name: z.string().min(1),
    standardRateBp: basisPoints,
    byRegion: z.record(z.string().regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/), basisPoints).optional(),
    reverseChargeCrossBorderB2B: z.boolean(),
    /**
     * Where tax is rounded, as the entity's ERP is set up for its tax nexus: `line` rounds each
     * line's tax and adds them up; `invoice` rounds the tax on the invoice's net per rate once.
     */
    rounding: z.enum(['line', 'invoice']).default('line'),
  }),
  invoiceNumbering: z.object({
    pattern: z
      .string()
      .regex(/^[^{}]*(\{(yyyy|seq)\}[^{}]*)+$/)
      .refine((p) => p.includes('{seq}'), 'must contain {seq}'),
    padding: z.number().int().min(1).max(12),
  }),
});

const rulesFileSchema = z.object({ legalEntities: z.array(legalEntitySchema).min(1) });

export type LegalEntityRules = z.infer<typeof legalEntitySchema>;

export interface TaxCustomer {
  /** ISO 3166-1 alpha-2 of the customer's billing address. */
  country: string;
  /** ISO 3166-2 subdivision, e.g. US-NM, where a rule depends on it. */
  region?: string;
  /** A VAT or tax registration number: its presence makes the customer a business for reverse charge. */
  taxId?: string;
}

export type TaxRounding = 'line' | 'invoice';

export interface TaxDecision {
  rateBp: number;
  name: string;
  rounding: TaxRounding;
  /** Why the rate applies, printed on the invoice (e.g. reverse charge wording). */
  note?: string;
  reverseCharge: boolean;
}

export class RegionalRules {
  private readonly byCode: ReadonlyMap<string, LegalEntityRules>;
  private readonly byBillingCountry: ReadonlyMap<string, LegalEntityRules>;

  constructor(readonly legalEntities: readonly LegalEntityRules[]) {
    this.byCode = new Map(legalEntities.map((e) => [e.code, e]));
    const byCountry = new Map<string, LegalEntityRules>();
    for (const entity of legalEntities) {
      for (const c of entity.billingCountries) {
        const taken = byCountry.get(c);
        if (taken) throw new Error(`Regional rules: billing country ${c} is served by both ${taken.code} and ${entity.code}`);
        byCountry.set(c, entity);
      }
    }
    this.byBillingCountry = byCountry;
  }

  entity(code: string): LegalEntityRules {
    const entity = this.byCode.get(code);
    if (!entity) throw new ProblemError('business-rule-violation', { detail: `No regional rules for legal entity ${code}.` });
    return entity;
  }

  /** The legal entity that contracts with a client billed in `billingCountry`, or undefined when none serves it. */
  entityForBillingCountry(billingCountry: string): LegalEntityRules | undefined {
    return this.byBillingCountry.get(billingCountry.toUpperCase());
  }

  taxFor(entityCode: string, customer: TaxCustomer): TaxDecision {
    const { tax, country: entityCountry } = this.entity(entityCode);
    const crossBorder = customer.country.toUpperCase() !== entityCountry;
    const { rounding } = tax;
    if (tax.scheme === 'none') return { rateBp: 0, name: tax.name, rounding, reverseCharge: false };
    if (tax.reverseChargeCrossBorderB2B && crossBorder && customer.taxId) {
      return { rateBp: 0, name: tax.name, rounding, reverseCharge: true, note: 'Reverse charge: the customer accounts for the tax.' };
    }
    if (tax.scheme === 'sales-tax') {
      // Sales tax follows the customer's region; a customer abroad pays none.
      const regional = customer.region ? tax.byRegion?.[customer.region.toUpperCase()] : undefined;
      return { rateBp: crossBorder ? 0 : (regional ?? tax.standardRateBp), name: tax.name, rounding, reverseCharge: false };
    }
    return { rateBp: tax.standardRateBp, name: tax.name, rounding, reverseCharge: false };
  }

  /** Formats an invoice number from the entity's pattern; `sequence` comes from the entity's counter. */
  invoiceNumber(entityCode: string, sequence: number, issuedOn: string): string {
    const { pattern, padding } = this.entity(entityCode).invoiceNumbering;
    return pattern.replace('{yyyy}', issuedOn.slice(0, 4)).replace('{seq}', String(sequence).padStart(padding, '0'));
  }
}

/** Tax on a net amount in minor units, rounded once in the currency's minor unit (core/money's rule). */
export function taxAmount(net: Money, rateBp: number, rounding?: RoundingMode): Money {
  return { amountMinor: taxOnNetMinor(net.amountMinor, rateBp, rounding), currency: net.currency };
}

/**
 * The tax of each line of one rate and their total, rounded where the rule says: `line` rounds
 * each line's tax (the total is their sum); `invoice` rounds the tax on the lines' net once and
 * spreads it over the lines by largest remainder, so the lines still add up to the total.
 */
export function lineTaxes(netsMinor: readonly number[], rateBp: number, rounding: TaxRounding): { lines: number[]; totalMinor: number } {
  if (rounding === 'line' || netsMinor.length === 0) {
    const lines = netsMinor.map((net) => taxOnNetMinor(net, rateBp));
    return { lines, totalMinor: lines.reduce((a, b) => a + b, 0) };
  }
  const totalMinor = taxOnNetMinor(
    netsMinor.reduce((a, b) => a + b, 0),
    rateBp,
  );
  const weights = netsMinor.map((n) => Math.abs(n));
  const lines = weights.some((w) => w > 0) ? allocate(totalMinor, weights) : netsMinor.map(() => 0);
  return { lines, totalMinor };
}

// From the project root, so that the compiled build (dist/) reads the same file as the source.
const DEFAULT_FILE = projectFile('core', 'regional', 'legal-entities.yaml');

export function loadRegionalRules(file = DEFAULT_FILE): RegionalRules {
  const parsed = rulesFileSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Regional rules in ${file} are invalid at ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return new RegionalRules(parsed.data.legalEntities);
}
