// Properties of money and recorded hours over random figures and currencies of 0, 2 and 3 minor
// units: exact conversions both ways, one rounding per figure, tax lines that add up.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hoursToHundredths, hundredthsToHours, hundredthsToMinutes } from './hours.js';
import { decimalToMinor, minorToDecimalString, minorUnits, multiplyHundredthsByRate, taxOnNetMinor } from './money.js';
import { lineTaxes } from './regional/rules.js';

const currency = fc.constantFrom('JPY', 'EUR', 'GBP', 'USD', 'KWD', 'BHD');
const minor = fc.integer({ min: -1e12, max: 1e12 });
const hundredths = fc.integer({ min: 0, max: 2_400 * 5_000 });
const rate = fc.integer({ min: 0, max: 5_000_000 });

describe('money properties', () => {
  it('formats and parses every amount exactly in its currency’s minor unit', () => {
    fc.assert(
      fc.property(minor, currency, (amount, cur) => {
        const text = minorToDecimalString(amount, cur);
        const places = text.split('.')[1]?.length ?? 0;
        expect(places, 'as many places as the currency has').toBe(minorUnits(cur));
        expect(decimalToMinor(text, cur), 'round trip').toBe(amount);
        expect(decimalToMinor(Number(text), cur), 'as a JSON number too').toBe(amount);
      }),
    );
  });

  it('carries hours as hundredths exactly, both ways', () => {
    fc.assert(
      fc.property(hundredths, (h) => {
        expect(hoursToHundredths(hundredthsToHours(h))).toBe(h);
        expect(hoursToHundredths(Number(hundredthsToHours(h))), 'as the JSON number Harvest sends').toBe(h);
        expect(Math.abs(hundredthsToMinutes(h) * 100 - h * 60), 'minutes are within half a minute').toBeLessThanOrEqual(50);
      }),
    );
  });

  it('prices hours × rate with one rounding, never off by half a minor unit or more', () => {
    fc.assert(
      fc.property(hundredths, rate, (h, r) => {
        const amount = multiplyHundredthsByRate(h, r);
        const exactTimes100 = BigInt(h) * BigInt(r);
        const error = BigInt(amount) * 100n - exactTimes100;
        expect(error >= -49n && error <= 50n, `${h} hundredths × ${r}: ${amount}`).toBe(true);
      }),
    );
  });

  it('prices each line on its own: Σ lines = net, whatever the split of the hours', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hundredths, rate), { minLength: 1, maxLength: 50 }), (lines) => {
        const amounts = lines.map(([h, r]) => multiplyHundredthsByRate(h, r));
        const net = amounts.reduce((a, b) => a + b, 0);
        // Rounded once per line: each line is within half a minor unit of hours × rate.
        const exact = lines.reduce((s, [h, r]) => s + BigInt(h) * BigInt(r), 0n);
        expect(BigInt(net) * 100n - exact <= 50n * BigInt(lines.length)).toBe(true);
      }),
    );
  });

  it('splits tax over lines so that they add up, rounded per line or once on the net', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1e10 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 10_000 }),
        (nets, bp) => {
          const perLine = lineTaxes(nets, bp, 'line');
          expect(perLine.lines).toEqual(nets.map((n) => taxOnNetMinor(n, bp)));
          expect(perLine.lines.reduce((a, b) => a + b, 0)).toBe(perLine.totalMinor);
          const once = lineTaxes(nets, bp, 'invoice');
          expect(once.totalMinor, 'one rounding of the net').toBe(
            taxOnNetMinor(
              nets.reduce((a, b) => a + b, 0),
              bp,
            ),
          );
          expect(
            once.lines.reduce((a, b) => a + b, 0),
            'lines add up to it',
          ).toBe(once.totalMinor);
          expect(once.lines.every((t) => t >= 0)).toBe(true);
        },
      ),
    );
  });
});
