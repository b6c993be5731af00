import { describe, expect, it } from 'vitest';
import { erpDocumentLink, erpRecordUrl, erpUiBase } from './links.js';

describe('ERP record links', () => {
  it("opens records on the account's UI host, or on another base as it is", () => {
    expect(erpUiBase('https://1234567-sb1.suitetalk.api.netsuite.com/services/rest')).toBe('https://1234567-sb1.app.netsuite.com');
    expect(erpUiBase('http://127.0.0.1:4010')).toBe('http://127.0.0.1:4010');
    expect(erpRecordUrl('https://1.app.netsuite.com', 'invoice', '42')).toBe(
      'https://1.app.netsuite.com/app/accounting/transactions/custinvc.nl?id=42',
    );
    expect(erpRecordUrl('https://1.app.netsuite.com', 'rate-card', '42')).toBeUndefined();
  });

  it('links billing documents as the feed names them, and nothing else', () => {
    expect(erpDocumentLink('https://1.app.netsuite.com', 'customerPayment:77')).toEqual({
      type: 'customerPayment',
      nativeId: '77',
      url: 'https://1.app.netsuite.com/app/accounting/transactions/custpymt.nl?id=77',
    });
    expect(erpDocumentLink('https://1.app.netsuite.com', 'salesOrder:77')).toBeUndefined();
  });
});
