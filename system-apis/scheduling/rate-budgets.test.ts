// The connector's two budgets without a platform: counting, what an answer's headers and a 429
// change, and the gauge that reports what is left per kind.
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { promSchedulingBudgetMetrics } from './metrics.js';
import { RateBudgets } from './rate-budgets.js';

describe('scheduling rate budgets', () => {
  it('counts reads and writes apart and reports them per kind', async () => {
    let now = 1_000_000;
    const budgets = new RateBudgets({ reads: 5, writes: 3, windowMs: 60_000 }, () => now);
    await budgets.before('PATCH');
    await budgets.before('POST');
    await budgets.before('GET');
    expect(budgets.snapshot().write.remaining, 'two writes spent').toBe(1);
    expect(budgets.snapshot().read.remaining, 'one read spent').toBe(4);
    const registry = new Registry();
    promSchedulingBudgetMetrics(registry, () => budgets.snapshot());
    const text = await registry.metrics();
    expect(text, 'the gauge reports the write budget').toContain(
      'layer_platform_rate_budget_remaining{platform="scheduling",kind="write"} 1',
    );
    expect(text, 'and the read budget').toContain('layer_platform_rate_budget_remaining{platform="scheduling",kind="read"} 4');
    now += 60_001;
    expect(budgets.snapshot().write.remaining, 'a new window gives the whole budget back').toBe(3);
  });

  it('believes the platform’s headers over its own count, never in more than it counted', async () => {
    const now = 2_000_000_000_000;
    const budgets = new RateBudgets({ reads: 200, writes: 100, windowMs: 60_000 }, () => now);
    await budgets.before('GET');
    budgets.after('GET', 200, { 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': String(now / 1000 + 30) });
    expect(budgets.snapshot().read, 'the platform’s limit, remaining and reset').toEqual({
      limit: 50,
      remaining: 12,
      resetAtMs: now + 30_000,
    });
    budgets.after('GET', 200, { 'x-ratelimit-remaining': '40' });
    expect(budgets.snapshot().read.remaining, 'a stale answer does not give budget back').toBe(12);
  });

  it('empties a budget on 429 until its Retry-After has passed', async () => {
    const now = 3_000_000;
    const budgets = new RateBudgets({}, () => now);
    await budgets.before('DELETE');
    budgets.after('DELETE', 429, { 'retry-after': '7' });
    expect(budgets.snapshot().write, 'nothing left for seven seconds').toMatchObject({ remaining: 0, resetAtMs: now + 7_000 });
    expect(budgets.snapshot().read.remaining, 'reads untouched').toBe(200);
  });
});
