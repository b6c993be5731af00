import { describe, expect, it } from 'vitest';
import type { Rollup } from './status.js';
import { writeUntilStable } from './workflow.js';

const view = (status: Rollup['status'], outstanding: number): Rollup => ({
  status,
  invoiceStatus: 'posted',
  outstanding: [{ amountMinor: outstanding, currency: 'GBP' }],
  overdue: [],
});

describe('writeUntilStable', () => {
  it('writes once when ERP does not change meanwhile', async () => {
    const writes: Rollup[] = [];
    const result = await writeUntilStable(
      async () => view('invoiced', 100),
      async (v) => void writes.push(v),
    );
    expect(writes).toEqual([view('invoiced', 100)]);
    expect(result).toEqual(view('invoiced', 100));
  });

  it('writes again what ERP says after a change that happened during the write', async () => {
    const erp = [view('invoiced', 100), view('partially-paid', 40)];
    let reads = 0;
    const writes: Rollup[] = [];
    const result = await writeUntilStable(
      async () => erp[Math.min(reads++, 1)]!,
      async (v) => void writes.push(v),
    );
    expect(writes).toEqual([view('invoiced', 100), view('partially-paid', 40)]);
    expect(result).toEqual(view('partially-paid', 40));
  });

  it('gives up the attempt, to be retried, when ERP keeps changing', async () => {
    let n = 0;
    const writes: Rollup[] = [];
    await expect(
      writeUntilStable(
        async () => view('invoiced', n++),
        async (v) => void writes.push(v),
        3,
      ),
    ).rejects.toThrow(/changed 3 times/);
    expect(writes).toHaveLength(3);
  });
});
