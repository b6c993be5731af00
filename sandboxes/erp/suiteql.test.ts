import { describe, expect, it } from 'vitest';
import { parseSuiteQl, runSuiteQl, SuiteQlError, type Row } from './suiteql.js';

const rows: Row[] = [
  { id: '9', name: "O'Brien Ltd", country: 'GB', amount: '100.5' },
  { id: '10', name: 'Acme GmbH', country: 'DE', amount: '20' },
  { id: '11', name: 'acme inc', country: 'US' },
];
const columns = new Set(['id', 'name', 'country', 'amount']);
const run = (q: string) => runSuiteQl(parseSuiteQl(q), rows, columns);

describe('SuiteQL subset', () => {
  it('compares numbers as numbers and strings as strings', () => {
    expect(run('SELECT id FROM t WHERE id > 9').map((r) => r.id)).toEqual(['10', '11']);
    expect(run("SELECT id FROM t WHERE amount >= '50'").map((r) => r.id)).toEqual(['9']);
    expect(run('SELECT id FROM t ORDER BY id DESC').map((r) => r.id)).toEqual(['11', '10', '9']);
  });

  it('binds AND tighter than OR, and supports LIKE, IN and IS NULL', () => {
    expect(run("SELECT id FROM t WHERE country = 'DE' OR country = 'US' AND name LIKE 'acme%'").map((r) => r.id)).toEqual(['10', '11']);
    expect(run("SELECT id FROM t WHERE country IN ('GB', 'US') AND amount IS NULL").map((r) => r.id)).toEqual(['11']);
    expect(run("SELECT id FROM t WHERE name LIKE '%o''brien%'").map((r) => r.id)).toEqual(['9']);
    expect(run('SELECT TOP 1 id, name FROM t ORDER BY name')).toEqual([{ id: '10', name: 'Acme GmbH' }]);
  });

  it('omits empty columns like SuiteQL and rejects what the subset does not know', () => {
    expect(run('SELECT id, amount FROM t WHERE id = 11')).toEqual([{ id: '11' }]);
    expect(() => run('SELECT nope FROM t')).toThrow(/nope/);
    for (const q of [
      'SELECT id FROM t WHERE (id = 1)',
      'SELECT id FROM a JOIN b',
      "SELECT id FROM t WHERE name = 'unterminated",
      'UPDATE t SET id = 1',
      'SELECT id FROM t; DROP TABLE t',
    ]) {
      expect(() => run(q), q).toThrow(SuiteQlError);
    }
  });

  it('converts timestamps only through TO_TIMESTAMP and TO_CHAR, as Oracle does', () => {
    const stamped: Row[] = [
      { id: '1', lastmodifieddate: '2026-12-03T07:30:00Z' },
      { id: '2', lastmodifieddate: '2026-12-03T07:30:05Z' },
    ];
    const known = new Set(['id', 'lastmodifieddate']);
    const q = (text: string) => runSuiteQl(parseSuiteQl(text), stamped, known);
    expect(
      q(
        "SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified FROM t WHERE lastmodifieddate > TO_TIMESTAMP('2026-12-03 07:30:00', 'YYYY-MM-DD HH24:MI:SS')",
      ),
      'after a watermark, read back in the same format',
    ).toEqual([{ id: '2', modified: '2026-12-03 07:30:05' }]);
    expect(() => q("SELECT id FROM t WHERE lastmodifieddate > '2026-12-03 07:30:00'"), 'a bare string').toThrow(/ORA-01861/);
    expect(() => q("SELECT id FROM t WHERE lastmodifieddate > TO_TIMESTAMP('3/12/2026', 'YYYY-MM-DD HH24:MI:SS')")).toThrow(/ORA-01861/);
    expect(() => q("SELECT id FROM t WHERE id > TO_TIMESTAMP('2026-12-03 07:30:00', 'YYYY-MM-DD HH24:MI:SS')")).toThrow(/ORA-00932/);
    expect(() => q("SELECT TO_CHAR(lastmodifieddate, 'DD/MM/YYYY') FROM t"), 'a format this subset does not convert').toThrow(SuiteQlError);
  });
});
