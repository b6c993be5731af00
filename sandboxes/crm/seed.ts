// Deterministic seed data. `small`: a handful of accounts, contacts and opportunities,
// including one opportunity ready to be closed-won with complete contract terms.
// `large`: about 100 accounts with their contacts and opportunities, for benchmarks.
import type { SeededRandom } from '../kit/random.js';
import { insertRecord } from './records.js';
import { emptyState, type CrmState } from './state.js';

/** Seed records are dated from this instant on, so the same seed gives the same data. */
const SEED_EPOCH = Date.parse('2026-01-05T09:00:00.000Z');
const HOUR = 3_600_000;

export type SeedSize = 'small' | 'large';

/** The opportunity the closed-won journey starts from in the small seed (External_Id__c). */
export const READY_TO_CLOSE_NAME = 'Nordlicht Logistik – Warehouse analytics phase 2';

interface AccountSeed {
  Name: string;
  Website: string;
  BillingCountry: string;
  BillingCountryCode: string;
  BillingCity: string;
  CurrencyIsoCode: string;
  Tax_Id__c: string;
  Industry: string;
  Phone: string;
}

const SMALL_ACCOUNTS: AccountSeed[] = [
  {
    Name: 'Nordlicht Logistik GmbH',
    Website: 'https://www.nordlicht-logistik.de',
    BillingCountry: 'Germany',
    BillingCountryCode: 'DE',
    BillingCity: 'Hamburg',
    CurrencyIsoCode: 'EUR',
    Tax_Id__c: 'DE812345678',
    Industry: 'Transportation',
    Phone: '+49 40 1234567',
  },
  {
    Name: 'Thames Valley Insurance plc',
    Website: 'https://tvinsurance.co.uk',
    BillingCountry: 'United Kingdom',
    BillingCountryCode: 'GB',
    BillingCity: 'Reading',
    CurrencyIsoCode: 'GBP',
    Tax_Id__c: 'GB123456789',
    Industry: 'Insurance',
    Phone: '+44 118 496 0000',
  },
  {
    Name: 'Cascade Health Systems Inc.',
    Website: 'https://www.cascadehealth.com',
    BillingCountry: 'United States',
    BillingCountryCode: 'US',
    BillingCity: 'Seattle',
    CurrencyIsoCode: 'USD',
    Tax_Id__c: '91-1234567',
    Industry: 'Healthcare',
    Phone: '+1 206 555 0100',
  },
  {
    Name: 'Sakura Retail K.K.',
    Website: 'https://sakura-retail.jp',
    BillingCountry: 'Japan',
    BillingCountryCode: 'JP',
    BillingCity: 'Osaka',
    CurrencyIsoCode: 'JPY',
    Tax_Id__c: 'T1234567890123',
    Industry: 'Retail',
    Phone: '+81 6 1234 5678',
  },
  {
    Name: 'Gulf Horizon Trading W.L.L.',
    Website: 'https://gulfhorizon.com.kw',
    BillingCountry: 'Kuwait',
    BillingCountryCode: 'KW',
    BillingCity: 'Kuwait City',
    CurrencyIsoCode: 'KWD',
    Tax_Id__c: 'KW300012345',
    Industry: 'Wholesale',
    Phone: '+965 2222 3333',
  },
];

const FIRST = [
  'Jana',
  'Oliver',
  'Priya',
  'Kenji',
  'Fatima',
  'Lukas',
  'Amelia',
  'Noah',
  'Yuki',
  'Omar',
  'Sofia',
  'Ethan',
  'Chloe',
  'Mateo',
  'Hannah',
];
const LAST = [
  'Albers',
  'Whitfield',
  'Raman',
  'Tanaka',
  'Al-Sabah',
  'Berger',
  'Clarke',
  'Miller',
  'Sato',
  'Haddad',
  'Rossi',
  'Brooks',
  'Dubois',
  'Garcia',
  'Novak',
];
const TITLES = ['Head of Operations', 'CFO', 'IT Director', 'Procurement Manager', 'VP Engineering', 'Programme Manager'];
const WORK = [
  'Data platform rollout',
  'ERP migration',
  'Cloud cost review',
  'Customer portal',
  'Analytics enablement',
  'Security assessment',
];

function opportunityAmount(currency: string, rng: SeededRandom): number {
  // Whole thousands in the currency's usual scale; JPY and KWD get their own magnitudes.
  if (currency === 'JPY') return rng.int(5, 60) * 1_000_000;
  if (currency === 'KWD') return rng.int(10, 90) * 1_000;
  return rng.int(20, 400) * 1_000;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export function seedCrm(size: SeedSize, rng: SeededRandom): CrmState {
  const state = emptyState();
  let clock = SEED_EPOCH;
  const tick = () => (clock += HOUR);
  const accounts = size === 'small' ? SMALL_ACCOUNTS : largeAccounts(rng);

  accounts.forEach((account, index) => {
    const accountId = insertRecord(state, 'Account', { ...account }, tick()).id;
    const contacts = size === 'small' ? 2 : rng.int(1, 4);
    for (let c = 0; c < contacts; c++) {
      const first = FIRST[(index * 3 + c) % FIRST.length];
      const last = LAST[(index * 7 + c * 2) % LAST.length];
      insertRecord(
        state,
        'Contact',
        {
          AccountId: accountId,
          FirstName: first,
          LastName: last,
          Title: TITLES[(index + c) % TITLES.length],
          Email: `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + `@${new URL(account.Website).hostname.replace(/^www\./, '')}`,
          Phone: account.Phone,
        },
        tick(),
      );
    }
    const opportunities = size === 'small' ? 1 : rng.int(1, 3);
    for (let o = 0; o < opportunities; o++) {
      const start = addDays('2026-02-02', rng.int(0, 20) * 7);
      const ready = size === 'small' && index === 0;
      const stage = ready
        ? 'Negotiation/Review'
        : size === 'small' && index === 1
          ? 'Closed Won'
          : rng.pick(['Prospecting', 'Qualification', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Lost']);
      const model = ready ? 'Time and Materials' : rng.pick(['Time and Materials', 'Fixed Fee', 'Milestone']);
      insertRecord(
        state,
        'Opportunity',
        {
          Name: ready ? READY_TO_CLOSE_NAME : `${account.Name.split(' ')[0]} – ${WORK[(index + o) % WORK.length]}`,
          AccountId: accountId,
          StageName: stage,
          Amount: ready ? 240000 : opportunityAmount(account.CurrencyIsoCode, rng),
          CurrencyIsoCode: account.CurrencyIsoCode,
          CloseDate: addDays(start, -14),
          Billing_Model__c: model,
          Start_Date__c: start,
          End_Date__c: addDays(start, rng.int(8, 40) * 7),
          Legal_Entity_Country__c:
            account.BillingCountryCode === 'JP' || account.BillingCountryCode === 'KW' ? 'GB' : account.BillingCountryCode,
          Rate_Card__c: model === 'Time and Materials' ? `RC-${account.BillingCountryCode}-2026` : null,
        },
        tick(),
      );
    }
  });
  return state;
}

const PREFIXES = [
  'Alder',
  'Birch',
  'Cedar',
  'Delta',
  'Ember',
  'Fjord',
  'Granite',
  'Harbor',
  'Iris',
  'Juniper',
  'Kestrel',
  'Lumen',
  'Meridian',
  'Nimbus',
  'Orchid',
  'Pioneer',
  'Quarry',
  'Summit',
  'Tidal',
  'Vertex',
];
const SUFFIXES = ['Analytics', 'Logistics', 'Health', 'Energy', 'Retail'];
const COUNTRIES = [
  { code: 'DE', name: 'Germany', city: 'Berlin', currency: 'EUR', tld: 'de', legal: 'GmbH' },
  { code: 'GB', name: 'United Kingdom', city: 'London', currency: 'GBP', tld: 'co.uk', legal: 'Ltd' },
  { code: 'US', name: 'United States', city: 'Boston', currency: 'USD', tld: 'com', legal: 'Inc.' },
  { code: 'FR', name: 'France', city: 'Lyon', currency: 'EUR', tld: 'fr', legal: 'SAS' },
  { code: 'JP', name: 'Japan', city: 'Tokyo', currency: 'JPY', tld: 'jp', legal: 'K.K.' },
];

function largeAccounts(rng: SeededRandom): AccountSeed[] {
  const out: AccountSeed[] = [];
  for (let i = 0; i < 100; i++) {
    const word = PREFIXES[i % PREFIXES.length];
    const trade = SUFFIXES[Math.floor(i / PREFIXES.length) % SUFFIXES.length];
    const country = rng.pick(COUNTRIES);
    const slug = `${word}-${trade}`.toLowerCase();
    out.push({
      Name: `${word} ${trade} ${country.legal}`,
      Website: `https://www.${slug}.${country.tld}`,
      BillingCountry: country.name,
      BillingCountryCode: country.code,
      BillingCity: country.city,
      CurrencyIsoCode: country.currency,
      Tax_Id__c: `${country.code}${String(100000000 + i * 7919).slice(0, 9)}`,
      Industry: trade,
      Phone: `+00 ${rng.chars(8, '0123456789')}`,
    });
  }
  return out;
}
