import { describe, expect, it } from 'vitest';
import { caseSafeSuffix, normaliseId, objectOfId, recordId, to18 } from './ids.js';

describe('Salesforce ids', () => {
  it('computes the case-safe suffix the way Salesforce does', () => {
    // Published examples: 15-character ids and their 18-character forms.
    expect(to18('00558000001N0Ke')).toBe('00558000001N0KeAAK');
    expect(to18('00190000001pPvH')).toBe('00190000001pPvHAAU');
    expect(caseSafeSuffix('000000000000000')).toBe('AAA');
    expect(caseSafeSuffix('AAAAAAAAAAAAAAA')).toBe('555');
  });

  it('makes ids with the right key prefixes that are unique ignoring case', () => {
    expect(recordId('Account', 1)).toMatch(/^001Dn0000000001[A-Z0-5]{3}$/);
    expect(recordId('Contact', 61).slice(0, 3)).toBe('003');
    expect(objectOfId(recordId('Opportunity', 7))).toBe('Opportunity');
    const a = recordId('Account', 10); // ...A
    const b = recordId('Account', 36); // ...a
    expect(a.slice(0, 15).toLowerCase()).toBe(b.slice(0, 15).toLowerCase());
    expect(a.toLowerCase()).not.toBe(b.toLowerCase());
  });

  it('accepts 15- and 18-character forms, and refuses a wrong suffix', () => {
    const id = recordId('Account', 12345);
    expect(normaliseId(id.slice(0, 15))).toBe(id);
    expect(normaliseId(id.slice(0, 15) + id.slice(15).toLowerCase())).toBe(id);
    expect(normaliseId(id.slice(0, 15) + 'ZZZ')).toBeUndefined();
    expect(normaliseId('001-bad')).toBeUndefined();
  });
});
