import { describe, expect, it } from 'vitest';
import { opportunityChangesQuery, opportunityFeedStart, pullOpportunityChanges } from './opportunity-changes.js';

describe('opportunity catch-up feed', () => {
  it('starts the look-back before now, in whole seconds', () => {
    const start = opportunityFeedStart(Date.parse('2026-03-04T10:00:00.750Z'), 72 * 3_600_000);
    expect(start, 'three days earlier, milliseconds dropped').toEqual({ watermark: '2026-03-01T10:00:00Z', lastId: '' });
  });

  it('asks after the watermark, or at it with a larger Id, up to the settled horizon, oldest first', () => {
    const horizon = Date.parse('2026-03-01T10:05:00.400Z');
    expect(opportunityChangesQuery({ watermark: '2026-03-01T10:00:00Z', lastId: '006000000000001AAA' }, 50, horizon)).toBe(
      'SELECT Id, StageName, IsWon, SystemModstamp FROM Opportunity WHERE (SystemModstamp > 2026-03-01T10:00:00Z ' +
        "OR (SystemModstamp = 2026-03-01T10:00:00Z AND Id > '006000000000001AAA')) AND SystemModstamp < 2026-03-01T10:05:00Z " +
        'ORDER BY SystemModstamp, Id LIMIT 50',
    );
  });

  it('moves to the last record read and keys each change by record and stamp', async () => {
    const connector = {
      query: async () => ({
        totalSize: 2,
        done: true,
        records: [
          { Id: '0065g00000AbCdEAAV', StageName: 'Closed Won', IsWon: true, SystemModstamp: '2026-03-01T10:00:00.000+0000' },
          { Id: '0065g00000AbCdFAAV', StageName: 'Prospecting', IsWon: false, SystemModstamp: '2026-03-01T10:00:02.000+0000' },
        ],
      }),
    } as unknown as Parameters<typeof pullOpportunityChanges>[0];
    const page = await pullOpportunityChanges(connector, { watermark: '2026-03-01T09:00:00Z', lastId: '' }, { limit: 2 });
    expect(page.changes.map((c) => [c.won, c.changeKey])).toEqual([
      [true, '0065g00000AbCdEAAV@2026-03-01T10:00:00Z'],
      [false, '0065g00000AbCdFAAV@2026-03-01T10:00:02Z'],
    ]);
    expect(page.next, 'the cursor stands on the last record').toEqual({ watermark: '2026-03-01T10:00:02Z', lastId: '0065g00000AbCdFAAV' });
    expect(page.more, 'a full page: there may be more').toBe(true);
  });
});
