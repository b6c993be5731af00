// Which subscriptions an event type reaches: business events by `*`, prefixes and exact names; the
// layer's own alerts only by patterns that name them, never by a partner's catch-all.
import { describe, expect, it } from 'vitest';
import { typeMatcher } from './envelope.js';

const PERIOD_CLOSED = 'com.psconnect.billing.period-closed';
const ALERT_FIRING = 'com.psconnect.layer.alert.firing';

describe('event type patterns', () => {
  it('match business events by `*`, by prefix and exactly', () => {
    expect(typeMatcher(['*'])(PERIOD_CLOSED), '`*`').toBe(true);
    expect(typeMatcher(['com.psconnect.*'])(PERIOD_CLOSED), 'a prefix').toBe(true);
    expect(typeMatcher([PERIOD_CLOSED])(PERIOD_CLOSED), 'the exact type').toBe(true);
    expect(typeMatcher(['com.psconnect.opportunity.*'])(PERIOD_CLOSED), 'another prefix').toBe(false);
  });

  it('keep the layer’s alerts from catch-all subscriptions and deliver them to patterns naming them', () => {
    expect(typeMatcher(['*'])(ALERT_FIRING), '`*`').toBe(false);
    expect(typeMatcher(['com.psconnect.*'])(ALERT_FIRING), 'the whole namespace').toBe(false);
    expect(typeMatcher(['com.psconnect.layer.alert.*'])(ALERT_FIRING), 'the alerts prefix').toBe(true);
    expect(typeMatcher(['com.psconnect.layer.*'])(ALERT_FIRING), 'the operational prefix').toBe(true);
    expect(typeMatcher([ALERT_FIRING])(ALERT_FIRING), 'the exact type').toBe(true);
  });
});
