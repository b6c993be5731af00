// Journeys derived from the registered definitions: declared, defaulted, and for runs of a
// definition no longer registered, the declared journey its name extends.
import { describe, expect, it } from 'vitest';
import { journeysOf } from './journeys.js';

describe('journeysOf', () => {
  const journeys = journeysOf(
    [
      { name: 'billing', journey: 'billing' },
      { name: 'billing-period', journey: 'billing' },
      { name: 'intake.change' },
      { name: 'billing.intake', journey: 'billing' },
      { name: 'nightly-sweep', journey: 'housekeeping' },
    ],
    { provisioning: 'billing' },
  );

  it('labels each registered workflow with the journey it declares, or its own name', () => {
    expect(journeys.of('billing')).toBe('billing');
    expect(journeys.of('billing-period')).toBe('billing');
    expect(journeys.of('nightly-sweep')).toBe('housekeeping');
    expect(journeys.of('intake.change')).toBe('intake.change');
  });

  it('labels a workflow no longer registered by the declared journey its name extends, else by its name', () => {
    expect(journeys.of('billing-retired-v0')).toBe('billing');
    expect(journeys.of('billingx')).toBe('billingx');
    expect(journeys.of('unknown')).toBe('unknown');
  });

  it('lists the workflows of a journey, an intake with a name of its own included', () => {
    expect(journeys.definitionsOf('billing'), 'every workflow declaring the journey').toEqual([
      'billing',
      'billing-period',
      'billing.intake',
    ]);
    expect(journeys.definitionsOf('intake.change'), 'a workflow that declares none is its own journey').toEqual(['intake.change']);
    expect(journeys.definitionsOf('nobody'), 'an unknown journey has no workflows').toEqual([]);
  });

  it('names the provisioning workflow only when told', () => {
    expect(journeys.provisioning).toBe('billing');
    expect(journeysOf([{ name: 'a', journey: 'a' }]).provisioning).toBeUndefined();
  });
});
