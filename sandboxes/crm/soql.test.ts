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
  it('runs the keyset query on SystemModstamp with Id as tie-breaker, two fields in ORDER BY', () => {
    const stamped: StoredRecord[] = [
      { Id: '006C', StageName: 'Closed Won', IsWon: true, SystemModstamp: '2026-03-01T10:00:00.000+0000' },
      { Id: '006A', StageName: 'Prospecting', IsWon: false, SystemModstamp: '2026-03-01T10:00:01.000+0000' },
      { Id: '006B', StageName: 'Closed Won', IsWon: true, SystemModstamp: '2026-03-01T10:00:00.000+0000' },
      { Id: '006D', StageName: 'Closed Won', IsWon: true, SystemModstamp: '2026-03-01T09:59:59.000+0000' },
    ];
    const q = parseSoql(
      'SELECT Id, StageName, IsWon, SystemModstamp FROM Opportunity WHERE (SystemModstamp > 2026-03-01T10:00:00Z ' +
        "OR (SystemModstamp = 2026-03-01T10:00:00Z AND Id > '006B')) AND SystemModstamp < 2026-03-01T10:00:05Z " +
        'ORDER BY SystemModstamp, Id LIMIT 200',
    );
    expect(
      runSoql(q, stamped).map((r) => r.Id),
      'after (10:00:00, 006B): 006C in the same second, then the later 006A',
    ).toEqual(['006C', '006A']);
    const settled = parseSoql(
      "SELECT Id FROM Opportunity WHERE (SystemModstamp > 2026-03-01T09:00:00Z OR (SystemModstamp = 2026-03-01T09:00:00Z AND Id > '006')) " +
        'AND SystemModstamp < 2026-03-01T10:00:01Z ORDER BY SystemModstamp, Id LIMIT 200',
    );
    expect(
      runSoql(settled, stamped).map((r) => r.Id),
      'only stamps before the horizon',
    ).toEqual(['006D', '006B', '006C']);
  });

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

  it('combines conditions with OR, NOT and parentheses, AND binding only where parenthesised', () => {
    const run = (where: string) => runSoql(parseSoql(`SELECT Id FROM Opportunity WHERE ${where} ORDER BY Id`), rows).map((r) => r.Id);
    expect(run("StageName = 'Closed Won' OR Amount = null")).toEqual(['006A', '006B']);
    expect(run("StageName = 'Closed Won' OR StageName = 'Closed Lost' OR Name LIKE 'beta%'")).toEqual(['006A', '006B', '006C']);
    expect(run("(StageName = 'Closed Won' OR StageName = 'Closed Lost') AND Amount < 60")).toEqual(['006C']);
    expect(run("StageName = 'Closed Won' OR (StageName = 'Closed Lost' AND Amount < 60)")).toEqual(['006A', '006C']);
    expect(run("NOT StageName = 'Closed Won'")).toEqual(['006B', '006C']);
    expect(run("Amount > 0 AND (NOT Name LIKE 'alpha%')")).toEqual([]);
  });

  it('reads parent fields through a relationship, a missing parent as null, and counts', () => {
    const accounts: Record<string, StoredRecord> = { '001A': { Id: '001A', Name: 'Acme' }, '001B': { Id: '001B', Name: 'Birch' } };
    const withAccounts = rows.map((r, i) => ({ ...r, AccountId: ['001A', '001B', null][i] }));
    const lookup = (_object: string, id: string) => accounts[id];
    const q = parseSoql(
      "SELECT Id, account.name FROM Opportunity WHERE Account.Name = 'acme' OR Account.Name = null ORDER BY Account.Name DESC",
    );
    expect(q.fields).toEqual(['Id', 'Account.Name']);
    expect(q.refs[1]).toEqual({ field: 'AccountId', parent: { relationship: 'Account', object: 'Account', field: 'Name' } });
    expect(runSoql(q, withAccounts, lookup).map((r) => r.Id)).toEqual(['006A', '006C']);
    const count = parseSoql("select count() from Opportunity where StageName != 'Prospecting'");
    expect(count).toMatchObject({ count: true, fields: [] });
    expect(runSoql(count, withAccounts, lookup)).toHaveLength(2);
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
    // SOQL wants parentheses wherever AND and OR are mixed.
    expect(code("SELECT Id FROM Account WHERE Name = 'x' OR Name = 'y' AND Name = 'z'")).toBe('MALFORMED_QUERY');
    expect(code("SELECT Id FROM Account WHERE Name = 'x' OR")).toBe('MALFORMED_QUERY');
    expect(code('SELECT COUNT(), Name FROM Account')).toBe('MALFORMED_QUERY');
    expect(code('SELECT Owner.Name FROM Account')).toBe('INVALID_FIELD');
    expect(code('SELECT Account.Nope FROM Contact')).toBe('INVALID_FIELD');
    expect(code('SELECT Id FROM Account LIMIT -1')).toBe('MALFORMED_QUERY');
  });
});
