import { describe, expect, it } from 'vitest';
import { fromMinor, fromMinorNumber, minorUnits, toMinor } from './money.js';
import { ProblemError } from './problems.js';

describe('money', () => {
  it('knows minor units per ISO 4217', () => {
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('EUR')).toBe(2);
    expect(minorUnits('GBP')).toBe(2);
    expect(minorUnits('USD')).toBe(2);
    expect(minorUnits('KWD')).toBe(3);
    expect(minorUnits('BHD')).toBe(3);
    expect(() => minorUnits('eur')).toThrow(ProblemError);
  });

  it('converts decimals to minor units exactly', () => {
    expect(toMinor('1250.50', 'EUR')).toBe(125050);
    expect(toMinor(1250.5, 'EUR')).toBe(125050);
    expect(toMinor('0.1', 'USD')).toBe(10);
    expect(toMinor(0.1 + 0.2 === 0.3 ? 0 : 0.3, 'USD')).toBe(30);
    expect(toMinor('1500', 'JPY')).toBe(1500);
    expect(toMinor('12.345', 'KWD')).toBe(12345);
    expect(toMinor('-3.10', 'GBP')).toBe(-310);
    expect(toMinor('150.0000', 'USD')).toBe(15000);
  });

  it('rejects more precision than the currency allows in exact mode', () => {
    expect(() => toMinor('10.005', 'EUR')).toThrow(/more than 2 decimal/);
    expect(() => toMinor('10.5', 'JPY')).toThrow(/more than 0 decimal/);
    expect(() => toMinor('abc', 'EUR')).toThrow(ProblemError);
  });

  it('rounds half away from zero when asked', () => {
    expect(toMinor('1.005', 'EUR', 'half-away-from-zero')).toBe(101);
    expect(toMinor('-1.005', 'EUR', 'half-away-from-zero')).toBe(-101);
    expect(toMinor('1.0049', 'EUR', 'half-away-from-zero')).toBe(100);
    expect(toMinor('2.5', 'JPY', 'half-away-from-zero')).toBe(3);
    expect(toMinor('1.2345', 'KWD', 'half-away-from-zero')).toBe(1235);
  });

  it('formats minor units back to decimals and round-trips', () => {
    expect(fromMinor(125050, 'EUR')).toBe('1250.50');
    expect(fromMinor(5, 'USD')).toBe('0.05');
    expect(fromMinor(-310, 'GBP')).toBe('-3.10');
    expect(fromMinor(1500, 'JPY')).toBe('1500');
    expect(fromMinor(12345, 'KWD')).toBe('12.345');
    expect(fromMinorNumber(125050, 'EUR')).toBe(1250.5);
    for (const [minor, cur] of [[1, 'EUR'], [99999, 'KWD'], [7, 'JPY'], [-42, 'USD']] as const) {
      expect(toMinor(fromMinor(minor, cur), cur)).toBe(minor);
    }
    expect(() => fromMinor(1.5, 'EUR')).toThrow(ProblemError);
  });
});
