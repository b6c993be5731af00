// ERP webhooks read as billing changes: a record made by hand (no external id) is followed by
// its internal id, an invoice the layer made keeps its canonical id, anything else is ignored
// with a reason, and a webhook and a SuiteQL row of one change give one key.
import { describe, expect, it } from 'vitest';
import { billingChangeOf, parseBillingDocument, readBillingChange } from './webhooks.js';

describe('readBillingChange', () => {
  it('follows a payment entered by hand by its internal id', () => {
    const change = readBillingChange({
      recordType: 'customerPayment',
      id: '1207',
      lastModifiedDate: '2026-12-03T07:30:00Z',
      eventType: 'create',
    });
    expect(change, 'no external id needed').toEqual({
      document: 'customerPayment:1207',
      changeKey: 'customerPayment:1207@2026-12-03T07:30:00',
    });
  });

  it('keys an invoice by its state too, and keeps the canonical id of one the layer created', () => {
    const canonical = '019a1b2c-3d4e-7f00-8a9b-0c1d2e3f4a5b';
    const webhook = readBillingChange({
      recordType: 'invoice',
      id: '1100',
      externalId: canonical,
      lastModifiedDate: '2026-12-03T07:30:00Z',
      status: { id: 'A', refName: 'Open' },
      billingHold: false,
      amountRemaining: 1380,
    });
    const polled = billingChangeOf({
      type: 'invoice',
      nativeId: '1100',
      externalId: canonical,
      lastModified: '2026-12-03 07:30:00',
      status: 'A',
      billingHold: false,
      amountRemaining: '1380',
    });
    expect(webhook, 'webhook and SuiteQL row name one change').toEqual(polled);
    expect(polled).toMatchObject({ invoiceId: canonical, changeKey: 'invoice:1100@2026-12-03T07:30:00:A:-:1380' });
    const released = billingChangeOf({
      type: 'invoice',
      nativeId: '1100',
      lastModified: '2026-12-03T07:30:00Z',
      status: 'A',
      billingHold: true,
      amountRemaining: 1380,
    });
    expect(released.changeKey, 'a hold set within the same second is another change').not.toBe(polled.changeKey);
  });

  it('ignores other records and webhooks without an internal id, saying why', () => {
    expect(readBillingChange({ recordType: 'salesOrder', id: '5' })).toMatchObject({ ignored: 'record-type' });
    expect(readBillingChange({ recordType: 'creditMemo', id: 'eid:abc' })).toMatchObject({ ignored: 'no-internal-id' });
    expect(readBillingChange(undefined)).toMatchObject({ ignored: 'record-type' });
  });

  it('reads back only documents it named', () => {
    expect(parseBillingDocument('customerRefund:77')).toEqual({ type: 'customerRefund', nativeId: '77' });
    expect(parseBillingDocument('customer:77')).toBeUndefined();
    expect(parseBillingDocument('invoice:77:1')).toBeUndefined();
  });
});
