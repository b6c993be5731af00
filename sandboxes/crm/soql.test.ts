import { describe, expect, it } from 'vitest';
import { parseSoql, runSoql } from './soql.js';
import { type SfRecordError } from './records.js';
import type { StoredRecord } from './state.js';

const rows: StoredRecord[] = [
  {
    Id: '006A',
    Name: 'Alpha rollout',
    StageName: 'Closed Won',
    Amount: 100,
    CloseDate: '2026-03-01',
    LastModifiedDate: '2026-03-01T10:00:00.000+0000',
  },
  {
    Id: '006B',
    Name: 'Beta migration',
    StageName: 'Prospecting',
    Amount: null,
    CloseDate: '2026-04-01',
    LastModifiedDate: '2026-03-02T10:00:00.000+0000',
  },
  {
    Id: '006C',
    Name: 'alpha review',
    StageName: 'Closed Lost',
    Amount: 50,
    CloseDate: '2026-02-01',
    LastModifiedDate: '2026-03-03T10:00:00.000+0000',
  },
];

describe('SOQL subset', () => {
  it('parses fields case-insensitively into their declared names', () => {
    const q = parseSoql("select id, name, stagename from opportunity where stagename = 'closed won' limit 5");
    expect(q).toMatchObject({ object: 'Opportunity', fields: ['Id', 'Name', 'StageName'], limit: 5 });
    expect(runSoql(q, rows).map((r) => r.Id)).toEqual(['006A']);
  });

  it('filters with AND, IN, NOT IN, LIKE, != and date and datetime comparisons', () => {
    const run = (where: string) => runSoql(parseSoql(`SELECT Id FROM Opportunity WHERE ${where} ORDER BY Id`), rows).map((r) => r.Id);
    expect(run("StageName IN ('Closed Won', 'Closed Lost') AND Amount > 60")).toEqual(['006A']);
    expect(run("StageName NOT IN ('Closed Won')")).toEqual(['006B', '006C']);
    expect(run("Name LIKE 'alpha%'")).toEqual(['006A', '006C']);
    expect(run('Amount != null')).toEqual(['006A', '006C']);
    expect(run('CloseDate < 2026-03-15')).toEqual(['006A', '006C']);
    expect(run('LastModifiedDate >= 2026-03-02T10:00:00Z')).toEqual(['006B', '006C']);
  });

  it('orders with nulls first ascending and last descending, then offsets and limits', () => {
    expect(runSoql(parseSoql('SELECT Id FROM Opportunity ORDER BY Amount'), rows).map((r) => r.Id)).toEqual(['006B', '006C', '006A']);
    expect(runSoql(parseSoql('SELECT Id FROM Opportunity ORDER BY Amount DESC LIMIT 2 OFFSET 1'), rows).map((r) => r.Id)).toEqual([
      '006C',
      '006B',
    ]);
  });

  it('answers bad queries with the Salesforce error codes', () => {
    const code = (q: string) => {
      try {
        parseSoql(q);
        return 'parsed';
      } catch (err) {
        return (err as SfRecordError).entries[0].errorCode;
      }
    };
    expect(code('SELECT Id FROM Widget__c')).toBe('INVALID_TYPE');
    expect(code('SELECT Nope FROM Account')).toBe('INVALID_FIELD');
    expect(code('SELECT Id Account')).toBe('MALFORMED_QUERY');
    expect(code("SELECT Id FROM Account WHERE Name = 'x' OR Name = 'y'")).toBe('MALFORMED_QUERY');
    expect(code('SELECT Id FROM Account LIMIT -1')).toBe('MALFORMED_QUERY');
  });
});
