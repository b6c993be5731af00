// Background job settings: defaults, test defaults, and a heartbeat that would let leases lapse.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('background job configuration', () => {
  it('defaults to a 30 s lease renewed every 10 s, daily billing, a six-hourly reconciliation and business figures every 15 min', () => {
    expect(loadConfig({}).jobs, 'development defaults').toEqual({
      workflows: { leaseMs: 30_000, heartbeatMs: 10_000, pollMs: 250 },
      billingScheduleEveryMs: 86_400_000,
      reconcileEveryMs: 21_600_000,
      reconciliation: { passEveryMs: 900_000, liveEveryMs: 30_000, autoRepair: true, leaseMs: 60_000 },
      businessFigures: { everyMs: 900_000, windowDays: 90, retentionDays: 90 },
    });
    expect(loadConfig({ NODE_ENV: 'test' }).jobs.billingScheduleEveryMs, 'billing schedule under NODE_ENV=test').toBe(0);
    expect(loadConfig({ NODE_ENV: 'test' }).jobs.businessFigures.everyMs, 'business figures under NODE_ENV=test').toBe(0);
    expect(() => loadConfig({ BUSINESS_FIGURES_WINDOW_DAYS: '0' })).toThrow(/BUSINESS_FIGURES_WINDOW_DAYS/);
    expect(loadConfig({ NODE_ENV: 'test' }).jobs.reconciliation, 'reconciliation schedules under NODE_ENV=test').toMatchObject({
      passEveryMs: 0,
      liveEveryMs: 0,
    });
  });

  it('takes the reconciliation schedules from the environment, and names a bad value', () => {
    expect(
      loadConfig({ NODE_ENV: 'test', RECONCILE_PASS_EVERY_MS: '60000', RECONCILE_LIVE_EVERY_MS: '1000', RECONCILE_AUTO_REPAIR: 'off' }).jobs
        .reconciliation,
    ).toEqual({ passEveryMs: 60_000, liveEveryMs: 1_000, autoRepair: false, leaseMs: 60_000 });
    expect(() => loadConfig({ RECONCILE_AUTO_REPAIR: 'maybe' })).toThrow(/RECONCILE_AUTO_REPAIR/);
    expect(() => loadConfig({ RECONCILE_LIVE_EVERY_MS: '-1' })).toThrow(/RECONCILE_LIVE_EVERY_MS/);
  });

  it('takes a short lease for a prompt takeover, and refuses a heartbeat that is not shorter than the lease', () => {
    expect(loadConfig({ WORKFLOW_LEASE_MS: '1500' }).jobs.workflows, 'a 1.5 s lease').toMatchObject({ leaseMs: 1500, heartbeatMs: 500 });
    expect(() => loadConfig({ WORKFLOW_LEASE_MS: '1500', WORKFLOW_HEARTBEAT_MS: '1500' }), 'heartbeat equal to the lease').toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ WORKFLOW_LEASE_MS: '1500', WORKFLOW_HEARTBEAT_MS: '1500' })).toThrow(/WORKFLOW_HEARTBEAT_MS/);
  });
});
