// Money conversion and arithmetic: exactness, rounding modes, allocation.
import { describe, expect, it } from 'vitest';
import {
  addMoney,
  allocate,
  decimalToMinor,
  minorToDecimalNumber,
  minorToDecimalString,
  minorUnits,
  MoneyError,
  multiplyMinutesByRate,
} from './money.js';
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
    expect(decimalToMinor('1250.50', 'EUR')).toBe(125050);
    expect(decimalToMinor(1250.5, 'EUR')).toBe(125050);
    expect(decimalToMinor('0.1', 'USD')).toBe(10);
    expect(decimalToMinor(0.3, 'USD')).toBe(30);
    expect(decimalToMinor('1500', 'JPY')).toBe(1500);
    expect(decimalToMinor('12.345', 'KWD')).toBe(12345);
    expect(decimalToMinor('-3.10', 'GBP')).toBe(-310);
    expect(decimalToMinor('150.0000', 'USD')).toBe(15000);
  });

  it('rejects more precision than the currency allows in exact mode', () => {
    expect(() => decimalToMinor('10.005', 'EUR')).toThrow(/more than 2 decimal/);
    expect(() => decimalToMinor('10.5', 'JPY')).toThrow(/more than 0 decimal/);
    expect(() => decimalToMinor('abc', 'EUR')).toThrow(ProblemError);
  });

  it('rounds half away from zero when asked', () => {
    expect(decimalToMinor('1.005', 'EUR', { rounding: 'half-away-from-zero' })).toBe(101);
    expect(decimalToMinor('-1.005', 'EUR', { rounding: 'half-away-from-zero' })).toBe(-101);
    expect(decimalToMinor('1.0049', 'EUR', { rounding: 'half-away-from-zero' })).toBe(100);
    expect(decimalToMinor('2.5', 'JPY', { rounding: 'half-away-from-zero' })).toBe(3);
    expect(decimalToMinor('1.2345', 'KWD', { rounding: 'half-away-from-zero' })).toBe(1235);
  });

  it('formats minor units back to decimals and round-trips', () => {
    expect(minorToDecimalString(125050, 'EUR')).toBe('1250.50');
    expect(minorToDecimalString(5, 'USD')).toBe('0.05');
    expect(minorToDecimalString(-310, 'GBP')).toBe('-3.10');
    expect(minorToDecimalString(1500, 'JPY')).toBe('1500');
    expect(minorToDecimalString(12345, 'KWD')).toBe('12.345');
    expect(minorToDecimalNumber(125050, 'EUR')).toBe(1250.5);
    for (const [minor, cur] of [
      [1, 'EUR'],
      [99999, 'KWD'],
      [7, 'JPY'],
      [-42, 'USD'],
    ] as const) {
      expect(decimalToMinor(minorToDecimalString(minor, cur), cur)).toBe(minor);
    }
    expect(() => minorToDecimalString(1.5, 'EUR')).toThrow(ProblemError);
  });
});

describe('money: full API', () => {
  it('has the minor units of the currencies firms bill in', () => {
    const expected: Record<string, number> = {
      EUR: 2,
      GBP: 2,
      USD: 2,
      CHF: 2,
      JPY: 0,
      SEK: 2,
      NOK: 2,
      DKK: 2,
      PLN: 2,
      CAD: 2,
      AUD: 2,
      NZD: 2,
      SGD: 2,
      HKD: 2,
      INR: 2,
      ZAR: 2,
      KWD: 3,
      BHD: 3,
      JOD: 3,
      OMR: 3,
      TND: 3,
      KRW: 0,
      CLF: 4,
    };
    for (const [currency, units] of Object.entries(expected)) expect(minorUnits(currency), currency).toBe(units);
    expect(() => minorUnits('XXY')).toThrow(MoneyError);
  });

  it('converts exactly where float arithmetic would not', () => {
    expect(decimalToMinor(0.29, 'USD')).toBe(29); // 0.29 * 100 = 28.999999999999996
    expect(decimalToMinor('1.15', 'EUR')).toBe(115); // 1.15 * 100 = 114.99999999999999
    expect(decimalToMinor(1e-7, 'EUR', { rounding: 'half-away-from-zero' })).toBe(0);
    expect(decimalToMinor('1.5e3', 'JPY')).toBe(1500);
    expect(decimalToMinor('100.000', 'EUR')).toBe(10000);
    expect(decimalToMinor('12.345', 'KWD')).toBe(12345);
    expect(() => decimalToMinor('9007199254740993', 'EUR')).toThrow(/too large/);
    expect(() => decimalToMinor('1,000.00', 'EUR')).toThrow(MoneyError);
    expect(() => decimalToMinor(Number.NaN, 'EUR')).toThrow(MoneyError);
  });

  it('rounds half away from zero or half even when asked, and refuses otherwise', () => {
    expect(() => decimalToMinor('0.125', 'EUR')).toThrow(/more than 2 decimal/);
    expect(decimalToMinor('0.125', 'EUR', { rounding: 'half-away-from-zero' })).toBe(13);
    expect(decimalToMinor('-0.125', 'EUR', { rounding: 'half-away-from-zero' })).toBe(-13);
    expect(decimalToMinor('0.125', 'EUR', { rounding: 'half-even' })).toBe(12);
    expect(decimalToMinor('0.135', 'EUR', { rounding: 'half-even' })).toBe(14);
    expect(decimalToMinor(1.005, 'GBP', { rounding: 'half-away-from-zero' })).toBe(101);
  });

  it('formats every currency exponent and round-trips', () => {
    expect(minorToDecimalString(0, 'KWD')).toBe('0.000');
    expect(minorToDecimalString(-1, 'JPY')).toBe('-1');
    expect(minorToDecimalString(12345678, 'CLF')).toBe('1234.5678');
    expect(minorToDecimalNumber(125050, 'EUR')).toBe(1250.5);
    for (let minor = -1500; minor <= 1500; minor += 7) {
      for (const currency of ['EUR', 'JPY', 'KWD']) expect(decimalToMinor(minorToDecimalString(minor, currency), currency)).toBe(minor);
    }
  });

  it('adds amounts of one currency only', () => {
    expect(
      addMoney({ amountMinor: 150, currency: 'EUR' }, { amountMinor: -50, currency: 'EUR' }, { amountMinor: 1, currency: 'EUR' }),
    ).toEqual({
      amountMinor: 101,
      currency: 'EUR',
    });
    expect(() => addMoney({ amountMinor: 1, currency: 'EUR' }, { amountMinor: 1, currency: 'USD' })).toThrow(/Cannot add USD to EUR/);
  });

  it('prices minutes at an hourly rate with the documented rounding', () => {
    expect(multiplyMinutesByRate(90, 15000)).toBe(22500); // 1.5 h at 150.00
    expect(multiplyMinutesByRate(1, 12345)).toBe(206); // 205.75 → 206
    expect(multiplyMinutesByRate(1, 30)).toBe(1); // 0.5 → 1 half away from zero
    expect(multiplyMinutesByRate(1, 30, 'half-even')).toBe(0); // 0.5 → 0 banker's
    expect(multiplyMinutesByRate(3, 30, 'half-even')).toBe(2); // 1.5 → 2 banker's
    expect(multiplyMinutesByRate(-1, 30)).toBe(-1);
    expect(() => multiplyMinutesByRate(1.5, 100)).toThrow(MoneyError);
  });

  it('allocates without losing or inventing a minor unit', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
    expect(allocate({ amountMinor: 5, currency: 'JPY' }, ['0.3', '0.7'])).toEqual([
      { amountMinor: 2, currency: 'JPY' },
      { amountMinor: 3, currency: 'JPY' },
    ]);
    expect(allocate(1000, [0, 1])).toEqual([0, 1000]);
    for (const [total, ratios] of [
      [1, [1, 1, 1]],
      [99999, [3, 7, 11, 13]],
      [-7, [0.25, 0.75]],
      [123456789, [1, 2, 3, 4, 5, 6]],
    ] as const) {
      const parts = allocate(total, [...ratios]);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
    }
    expect(() => allocate(10, [])).toThrow(MoneyError);
    expect(() => allocate(10, [0, 0])).toThrow(MoneyError);
    expect(() => allocate(10, [-1, 2])).toThrow(MoneyError);
  });
});
