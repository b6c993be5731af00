// Change events as the CRM sandbox sends them, read into canonical terms.
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../core/problems.js';
import { readChangeEvent } from './change-events.js';

const closedWon = {
  schema: 'crm-sandbox-OpportunityChangeEvent-v1',
  payload: {
    ChangeEventHeader: {
      entityName: 'Opportunity',
      recordIds: ['006Dn0000000001AAA'],
      changeType: 'UPDATE',
      changeOrigin: 'com/salesforce/api/rest/62.0;client=x',
      transactionKey: '0001a2b3-0000-4000-8000-000000000001',
      sequenceNumber: 1,
      commitTimestamp: 1774972800000,
      commitNumber: 12,
      commitUser: '005Dn0000000001AAA',
      changedFields: ['StageName', 'IsClosed', 'IsWon', 'Probability', 'LastModifiedDate'],
      nulledFields: [],
      diffFields: [],
    },
    StageName: 'Closed Won',
    IsClosed: true,
    IsWon: true,
    Probability: 100,
    LastModifiedDate: '2026-03-31T16:00:00.000+0000',
  },
  event: { replayId: 12 },
};

describe('CRM change events', () => {
  it('recognises the closed-won update that starts the opportunity-to-project journey', () => {
    expect(readChangeEvent(closedWon)).toEqual({
      entity: 'opportunity',
      kind: 'updated',
      crmIds: ['006Dn0000000001AAA'],
      fields: ['stage', 'isClosed', 'isWon', 'probability'],
      committedAt: '2026-03-31T16:00:00.000Z',
      transactionKey: '0001a2b3-0000-4000-8000-000000000001',
      sequenceNumber: 1,
      stage: 'closed-won',
      closedWon: true,
    });
  });

  it('does not call an unrelated update of a won opportunity a new win', () => {
    const later = structuredClone(closedWon);
    later.payload.ChangeEventHeader.changedFields = ['ERP_Project_Id__c', 'ERP_Project_Status__c'];
    const { StageName: _s, IsClosed: _c, IsWon: _w, ...rest } = later.payload;
    const change = readChangeEvent({ ...later, payload: { ...rest, ERP_Project_Id__c: 'PRJ-1', ERP_Project_Status__c: 'Provisioned' } });
    expect(change).toMatchObject({ fields: ['erpProject'], closedWon: false });
  });

  it('reads creates from the payload fields and refuses what is not a change event', () => {
    const created = readChangeEvent({
      payload: {
        ChangeEventHeader: {
          entityName: 'Account',
          recordIds: ['001Dn0000000009AAA'],
          changeType: 'CREATE',
          transactionKey: 't',
          sequenceNumber: 1,
          commitTimestamp: 0,
          changedFields: [],
        },
        Name: 'Acme',
        Website: 'acme.example',
        CreatedDate: '2026-01-01T00:00:00.000+0000',
      },
    });
    expect(created).toMatchObject({ entity: 'client', kind: 'created', fields: ['name', 'website'], closedWon: false });
    for (const bad of [
      null,
      {},
      { payload: { ChangeEventHeader: { entityName: 'Lead' } } },
      { payload: { ChangeEventHeader: { ...closedWon.payload.ChangeEventHeader, recordIds: ['001Dn0000000009AAA'] } } },
    ]) {
      expect(() => readChangeEvent(bad)).toThrow(ProblemError);
    }
  });
});
