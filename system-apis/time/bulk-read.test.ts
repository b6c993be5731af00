// The time system API's bulk read (`timeEntryPages`) over the Harvest-shaped sandbox's large seed:
// Harvest's largest pages, followed by links.next, the same entries as the contract's listing
// (which still pages at most 200 over HTTP), on each store engine available.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SEED_TODAY } from '../../sandboxes/time/index.js';
import { testEngines } from '../../test/support/stores.js';
import { startTimeSystemFixture, type TimeSystemFixture } from '../../test/support/time-system-fixture.js';
import type { TimeEntry } from './canonical.js';
import { MAX_PER_PAGE, type TimeConnector } from './connector.js';
import type { TimeEntryPage, TimeSystemApi } from './service.js';

const engines = testEngines();
const DAY_MS = 86_400_000;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function everyPage(pages: AsyncIterable<TimeEntry[]>): Promise<TimeEntry[][]> {
  const out: TimeEntry[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe.each(engines.map((e) => [e.name, e] as const))('time system API bulk read on %s', (_name, engine) => {
  let f: TimeSystemFixture;
  let connector: TimeConnector;
  let time: TimeSystemApi;
  let sandboxUrl: string;
  // Nine days of the large seed's some 600 entries a day: three platform pages of up to 2,000.
  const windowQuery = { from: dateOf(Date.parse(SEED_TODAY) - 40 * DAY_MS), to: dateOf(Date.parse(SEED_TODAY) - 32 * DAY_MS) };
  const window = `from=${windowQuery.from}&to=${windowQuery.to}`;
  const call = <T>(method: string, path: string) => f.call<T>(method, path);

  /** The contract's listing to its end, at its largest page, counting the HTTP pages. */
  async function listedOverHttp(query: string): Promise<{ entries: TimeEntry[]; pages: number; largest: number }> {
    const entries: TimeEntry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let largest = 0;
    do {
      const res: { status: number; body: TimeEntryPage } = await call<TimeEntryPage>(
        'GET',
        `/time-entries?${query}&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      entries.push(...res.body.items);
      largest = Math.max(largest, res.body.items.length);
      pages++;
      cursor = res.body.nextCursor;
    } while (cursor);
    return { entries, pages, largest };
  }

  beforeAll(async () => {
    f = await startTimeSystemFixture(engine, { seed: 'large' });
    ({ connector, api: time, sandboxUrl } = f);
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => f?.close());

  it('reads pages of 2,000 by following links.next, the same entries as the contract’s listing of 200 a page', async () => {
    const firstPages = vi.spyOn(connector, 'listTimeEntries');
    const nextPages = vi.spyOn(connector, 'timeEntriesAt');
    // The platform requests of this window's reads (the layer's own pollers share the connector).
    const windowRequests = () => ({
      first: firstPages.mock.calls.filter(([filter]) => filter?.from === windowQuery.from).map(([, perPage]) => perPage),
      next: nextPages.mock.calls.map(([path]) => new URL(path, sandboxUrl)).filter((u) => u.searchParams.get('from') === windowQuery.from),
    });
    const pages = await everyPage(time.timeEntryPages(windowQuery));
    const bulk = pages.flat();
    const bulkRequests = windowRequests();

    expect(bulk.length, 'the window spans more than two platform pages').toBeGreaterThan(2 * MAX_PER_PAGE);
    expect(bulkRequests.first, 'the first page asks for Harvest’s largest').toEqual([MAX_PER_PAGE]);
    expect(bulkRequests.next.length, 'one platform page per 2,000 entries').toBe(Math.ceil(bulk.length / MAX_PER_PAGE) - 1);
    expect(
      bulkRequests.next.map((u) => [u.searchParams.get('per_page'), u.searchParams.get('page')]),
      'each next page is the link the platform gave, at the same page size',
    ).toEqual(bulkRequests.next.map((_, i) => [String(MAX_PER_PAGE), String(i + 2)]));
    expect(pages.length, 'one array per platform page').toBe(bulkRequests.next.length + 1);

    vi.clearAllMocks();
    const http = await listedOverHttp(window);
    const httpRequests = windowRequests();
    expect(http.largest, 'the contract’s listing keeps its 200').toBeLessThanOrEqual(200);
    expect(httpRequests.first, 'the contract’s listing asks the platform for pages of 200').toEqual([200]);
    expect(httpRequests.next.length + 1, 'one platform request per HTTP page').toBe(http.pages);
    expect(
      bulk.map((e) => e.id),
      'the bulk read gives the listing’s entries, in its order, with the same canonical ids',
    ).toEqual(http.entries.map((e) => e.id));
    expect(pages.length * 9, 'the bulk read needs about a tenth of the platform requests').toBeLessThanOrEqual(http.pages);
  });

  it('filters each page as the listing does', async () => {
    const approved = (
      await everyPage(time.timeEntryPages({ ...windowQuery, approvalStatus: 'approved', billingStatus: 'unbilled' }))
    ).flat();
    const http = await listedOverHttp(`${window}&approvalStatus=approved&billingStatus=unbilled`);
    expect(approved.length, 'approved unbilled entries in the window').toBeGreaterThan(0);
    expect(approved.map((e) => e.id)).toEqual(http.entries.map((e) => e.id));
    expect(
      approved.every((e) => e.approvalStatus === 'approved' && e.billingStatus === 'unbilled' && e.billable),
      'only approved, billable, unbilled work',
    ).toBe(true);
    const unknown = await everyPage(time.timeEntryPages({ engagementId: '0190a0b0-0000-7000-8000-000000000000' }));
    expect(unknown, 'an engagement the platform never had: no page read').toEqual([]);
  });

  it('reads at most one page ahead of a reader that stops early', async () => {
    const nextPages = vi.spyOn(connector, 'timeEntriesAt');
    for await (const page of time.timeEntryPages(windowQuery)) {
      expect(page.length, 'the first page holds entries').toBeGreaterThan(0);
      break;
    }
    const windowNextPages = nextPages.mock.calls.filter(
      ([path]) => new URL(path, sandboxUrl).searchParams.get('from') === windowQuery.from,
    );
    expect(windowNextPages.length, 'the page read ahead, no more').toBe(1);
  });

  it('keeps the contract’s page size over HTTP', async () => {
    const res = await call('GET', `/time-entries?${window}&limit=2000`);
    expect(res.status, 'a limit past the contract’s 200').toBe(400);
  });
});
