import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../core/problems.js';
import {
  accountToClient,
  clientBillingToSfFields,
  clientToAccountFields,
  contactToSfFields,
  erpProjectToSfFields,
  moneyToSfAmount,
  opportunityToSfFields,
  sfAmountToMoney,
  sfContactToContact,
  sfDateTimeToUtc,
  sfOpportunityToOpportunity,
  utcToSfDateTime,
  websiteDomain,
} from './mapping.js';
import type { SfAccount, SfContact, SfOpportunity } from './vendor-types.js';

const ACCOUNT: SfAccount = {
  attributes: { type: 'Account', url: '/services/data/v62.0/sobjects/Account/001Dn00000A1b2cIAB' },
  Id: '001Dn00000A1b2cIAB',
  Name: 'Nordlicht Logistik GmbH',
  Website: 'https://www.Nordlicht-Logistik.de/kontakt',
  Phone: '+49 40 1234567',
  Industry: 'Transportation',
  BillingCountry: 'Germany',
  BillingCountryCode: null,
  CurrencyIsoCode: 'EUR',
  Tax_Id__c: 'DE812345678',
  Billing_Status__c: 'Overdue',
  Invoice_Status__c: 'Posted',
  Outstanding_Amount__c: 18250.5,
  CreatedDate: '2025-11-03T08:15:00.000+0000',
  LastModifiedDate: '2026-02-10T17:45:12.000+0100',
};

const OPPORTUNITY: SfOpportunity = {
  attributes: { type: 'Opportunity', url: '/services/data/v62.0/sobjects/Opportunity/006Dn00000Xy9ZaIAJ' },
  Id: '006Dn00000Xy9ZaIAJ',
  Name: 'Nordlicht – Warehouse analytics phase 2',
  AccountId: '001Dn00000A1b2cIAB',
  StageName: 'Closed Won',
  Amount: 240000.0,
  CurrencyIsoCode: 'EUR',
  CloseDate: '2026-03-31',
  Probability: 100,
  IsClosed: true,
  IsWon: true,
  Billing_Model__c: 'Time and Materials',
  Start_Date__c: '2026-04-01',
  End_Date__c: '2026-09-30',
  Legal_Entity_Country__c: 'de',
  Rate_Card__c: 'RC-DE-2026',
  ERP_Project_Id__c: null,
  ERP_Project_Status__c: null,
  CreatedDate: '2026-01-12T10:00:00.000+0000',
  LastModifiedDate: '2026-03-31T16:20:00.000+0000',
};

describe('CRM mapping: vendor -> canonical', () => {
  it('maps an account with country name, domain, tax id and billing visibility', () => {
    const client = accountToClient(ACCOUNT, { id: '0191e6a0-0000-7000-8000-000000000001' });
    expect(client).toMatchObject({
      id: '0191e6a0-0000-7000-8000-000000000001',
      name: 'Nordlicht Logistik GmbH',
      domain: 'nordlicht-logistik.de',
      billingCountry: 'DE',
      taxId: 'DE812345678',
      defaultCurrency: 'EUR',
      status: 'active',
      billing: { status: 'overdue', invoiceStatus: 'posted', outstanding: { amountMinor: 1825050, currency: 'EUR' } },
      createdAt: '2025-11-03T08:15:00.000Z',
      updatedAt: '2026-02-10T16:45:12.000Z', // +0100 normalised to UTC
    });
  });

  it('maps a closed-won opportunity with its contract terms', () => {
    const opp = sfOpportunityToOpportunity(OPPORTUNITY, { id: 'o-1', clientId: 'c-1' });
    expect(opp).toMatchObject({
      stage: 'closed-won',
      stageLabel: 'Closed Won',
      isClosed: true,
      isWon: true,
      amount: { amountMinor: 24000000, currency: 'EUR' },
      closeDate: '2026-03-31',
      contractTerms: {
        billingModel: 'time-and-materials',
        startDate: '2026-04-01',
        endDate: '2026-09-30',
        legalEntityCountry: 'DE',
        rateCardCode: 'RC-DE-2026',
      },
      erpProject: null,
    });
  });

  it('keeps an unknown stage of a custom sales process readable through IsClosed/IsWon', () => {
    const open = sfOpportunityToOpportunity(
      { ...OPPORTUNITY, StageName: 'Discovery Workshop' as SfOpportunity['StageName'], IsClosed: false, IsWon: false },
      { id: 'o', clientId: null },
    );
    expect(open.stage).toBe('open');
    expect(open.stageLabel).toBe('Discovery Workshop');
  });

  it('uses each currency minor units: JPY has none, KWD three', () => {
    expect(sfAmountToMoney(1500000, 'JPY', 'Amount')).toEqual({ amountMinor: 1500000, currency: 'JPY' });
    expect(sfAmountToMoney(12.34, 'KWD', 'Amount')).toEqual({ amountMinor: 12340, currency: 'KWD' });
    expect(sfAmountToMoney(0.29, 'USD', 'Amount')).toEqual({ amountMinor: 29, currency: 'USD' });
  });

  it('refuses vendor amounts with more precision than the currency has, as an upstream error', () => {
    expect(() => sfAmountToMoney(1000.5, 'JPY', 'Opportunity.Amount')).toThrow(ProblemError);
    try {
      sfOpportunityToOpportunity({ ...OPPORTUNITY, CurrencyIsoCode: 'JPY', Amount: 1000.5 }, { id: 'o', clientId: null });
      expect.unreachable();
    } catch (err) {
      expect((err as ProblemError).status).toBe(502);
      expect((err as ProblemError).detail).toMatch(/Opportunity.Amount/);
    }
  });

  it('refuses records that lack what the CRM always fills', () => {
    expect(() => accountToClient({ ...ACCOUNT, Name: undefined as unknown as string }, { id: 'x' })).toThrow(/Account.Name/);
    expect(() => sfOpportunityToOpportunity({ ...OPPORTUNITY, CloseDate: null as unknown as string }, { id: 'o', clientId: null })).toThrow(
      /CloseDate/,
    );
  });

  it('refuses picklist values it has no meaning for instead of guessing', () => {
    expect(() => accountToClient({ ...ACCOUNT, Billing_Status__c: 'Disputed' as SfAccount['Billing_Status__c'] }, { id: 'x' })).toThrow(
      /Billing_Status__c/,
    );
  });

  it('maps a contact', () => {
    const sf: SfContact = {
      Id: '003Dn00000Q1w2eIAB',
      AccountId: ACCOUNT.Id,
      FirstName: 'Jana',
      LastName: 'Albers',
      Email: 'jana.albers@nordlicht-logistik.de',
      Phone: null,
      Title: 'Head of Operations',
      CreatedDate: '2025-11-03T08:20:00.000+0000',
      LastModifiedDate: '2025-11-03T08:20:00.000+0000',
    };
    expect(sfContactToContact(sf, { id: 'k-1', clientId: 'c-1' })).toEqual({
      id: 'k-1',
      clientId: 'c-1',
      givenName: 'Jana',
      familyName: 'Albers',
      email: 'jana.albers@nordlicht-logistik.de',
      phone: null,
      jobTitle: 'Head of Operations',
      createdAt: '2025-11-03T08:20:00.000Z',
      updatedAt: '2025-11-03T08:20:00.000Z',
    });
    expect(contactToSfFields({ familyName: 'Albers', email: null }, { accountId: ACCOUNT.Id })).toEqual({
      AccountId: ACCOUNT.Id,
      LastName: 'Albers',
      Email: null,
    });
  });
});

describe('CRM mapping: canonical -> vendor and round trips', () => {
  it('converts datetimes between Salesforce and RFC 3339 UTC', () => {
    expect(sfDateTimeToUtc('2026-03-01T23:30:00.000-0500')).toBe('2026-03-02T04:30:00.000Z');
    expect(utcToSfDateTime('2026-03-02T04:30:00Z')).toBe('2026-03-02T04:30:00.000+0000');
    expect(sfDateTimeToUtc(utcToSfDateTime('2026-07-01T12:00:00.123Z'))).toBe('2026-07-01T12:00:00.123Z');
    expect(() => sfDateTimeToUtc('01/03/2026')).toThrow(ProblemError);
  });

  it('normalises websites to a matching domain', () => {
    expect(websiteDomain('acme.com')).toBe('acme.com');
    expect(websiteDomain('http://WWW.ACME.co.uk/')).toBe('acme.co.uk');
    expect(websiteDomain(null)).toBeNull();
    expect(websiteDomain('http://10.0.0.1/')).toBeNull();
  });

  it('writes only the fields present and clears with null', () => {
    expect(clientToAccountFields({ website: null, billingCountry: 'gb' })).toEqual({ Website: null, BillingCountryCode: 'GB' });
  });

  it('round-trips an opportunity through vendor fields', () => {
    const canonical = sfOpportunityToOpportunity(OPPORTUNITY, { id: 'o-1', clientId: 'c-1' });
    const fields = opportunityToSfFields(
      {
        name: canonical.name,
        stage: 'closed-won',
        amount: canonical.amount,
        closeDate: canonical.closeDate,
        contractTerms: canonical.contractTerms,
      },
      { accountId: OPPORTUNITY.AccountId ?? undefined },
      'o-1',
    );
    const back = sfOpportunityToOpportunity({ ...OPPORTUNITY, ...fields, Id: OPPORTUNITY.Id }, { id: 'o-1', clientId: 'c-1' });
    expect(back).toEqual(canonical);
    expect(fields.Amount).toBe(240000);
    expect(fields.External_Id__c).toBe('o-1');
  });

  it('round-trips an account through vendor fields', () => {
    const client = accountToClient({ ...ACCOUNT, BillingCountryCode: 'DE' }, { id: 'c-1' });
    const fields = clientToAccountFields(client);
    expect(accountToClient({ ...ACCOUNT, ...fields }, { id: 'c-1' })).toEqual(client);
  });

  it('refuses money the 2-decimal CRM field would round, and writes the rest exactly', () => {
    expect(moneyToSfAmount({ amountMinor: 12340, currency: 'KWD' }, 'amount')).toBe(12.34);
    expect(() => moneyToSfAmount({ amountMinor: 12345, currency: 'KWD' }, 'amount')).toThrow(/would be rounded/);
    expect(moneyToSfAmount({ amountMinor: 1500000, currency: 'JPY' }, 'amount')).toBe(1500000);
    expect(moneyToSfAmount({ amountMinor: 29, currency: 'USD' }, 'amount')).toBe(0.29);
  });

  it('maps the write-backs to the custom fields', () => {
    expect(erpProjectToSfFields({ projectId: 'PRJ-2026-0042', status: 'provisioned' })).toEqual({
      ERP_Project_Id__c: 'PRJ-2026-0042',
      ERP_Project_Status__c: 'Provisioned',
    });
    expect(
      clientBillingToSfFields(
        { status: 'partially-paid', invoiceStatus: 'posted', outstanding: { amountMinor: 99, currency: 'GBP' } },
        'GBP',
      ),
    ).toEqual({
      Billing_Status__c: 'Partially Paid',
      Invoice_Status__c: 'Posted',
      Outstanding_Amount__c: 0.99,
    });
    expect(clientBillingToSfFields({ status: 'paid', outstanding: { amountMinor: 0, currency: 'USD' } }, null)).toMatchObject({
      CurrencyIsoCode: 'USD',
    });
    expect(() => clientBillingToSfFields({ status: 'overdue', outstanding: { amountMinor: 100, currency: 'EUR' } }, 'GBP')).toThrow(
      /must|GBP/,
    );
  });
});
