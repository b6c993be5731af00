// waitFor: resolves with the first value that satisfies the condition, and fails naming what
// never happened (with the last value seen) once its deadline passes.
import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('probes until the condition holds and resolves with that value', async () => {
    let calls = 0;
    const value = await waitFor(() => ++calls, { until: (n) => n >= 3, intervalMs: 1 });
    expect(value).toBe(3);
    expect(calls).toBe(3);
  });

  it('waits for a truthy value by default, awaiting async probes', async () => {
    let ready: string | undefined;
    setImmediate(() => (ready = 'up'));
    expect(await waitFor(async () => ready, { intervalMs: 1 })).toBe('up');
  });

  it('rejects after the deadline, saying what it waited for and what it saw last', async () => {
    await expect(
      waitFor(() => ({ left: 2 }), { until: (s) => s.left === 0, what: 'the queue to drain', timeoutMs: 30, intervalMs: 5 }),
    ).rejects.toThrow(/Timed out after 30 ms waiting for the queue to drain; last seen: \{"left":2\}/);
  });
});
