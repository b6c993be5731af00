// Time entry changes read from the time platform itself: entries updated since a watermark
// (Harvest's `updated_since`, at or after the instant, stamps to the second), with the change keys
// already taken at the watermark's second as tie-breaker, so the boundary second is read again
// and nothing that shares it with the last page is lost or taken twice.
import { createHash } from 'node:crypto';
import { ProblemError } from '../../core/problems.js';
import type { TimeEntry } from './canonical.js';
import type { HarvestTimeEntry } from './vendor-types.js';

/** Where the time entry feed stands; stored by the caller as it is (JSON). */
export interface TimeEntryFeedPosition {
  /** `updated_at` of the last change read (RFC 3339, to the second). */
  updatedSince: string;
  /** Change keys already taken at exactly that second. */
  seen: string[];
}

/** One time entry change in canonical terms: the entry as the platform and the ledger show it now. */
export interface TimeEntryChange {
  entry: TimeEntry;
  /** Entry and content of this version: reading the same state again yields the same key. */
  changeKey: string;
  occurredAtMs: number;
}

export interface TimeEntryChangePage {
  changes: TimeEntryChange[];
  next: TimeEntryFeedPosition;
  /** More changes wait after `next`. */
  more: boolean;
}

/** A second as Harvest's `updated_since` takes it. */
function secondOf(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The position from which every entry updated at or after `at` is read (to the second). */
export function timeEntryFeedFrom(at: Date): TimeEntryFeedPosition {
  return { updatedSince: secondOf(at.getTime()), seen: [] };
}

/**
 * The key of one state of an entry: its id, its stamp and what billing reads from it. Two
 * changes within one second differ in content, so they keep distinct keys.
 */
export function entryChangeKey(entry: HarvestTimeEntry): string {
  const content = JSON.stringify([
    entry.is_closed,
    entry.billable,
    entry.is_billed,
    entry.hours,
    entry.spent_date,
    entry.project.id,
    entry.task.id,
  ]);
  const digest = createHash('sha256').update(content).digest('hex').slice(0, 16);
  return `time-entry-${entry.id}@${secondOf(Date.parse(entry.updated_at))}#${digest}`;
}

export interface TimeEntryFeedDeps {
  /** Every recorded entry (not running, not empty) updated at or after the instant, every page. */
  updatedSince(since: string): Promise<HarvestTimeEntry[]>;
  /** The entries in canonical form, with the ledger's billing. */
  toEntries(entries: HarvestTimeEntry[]): Promise<TimeEntry[]>;
}

/**
 * One page of changes after `from`, oldest first. Harvest lists entries by date worked, not by
 * update: every entry updated since the watermark is read (one request per 2,000), then ordered.
 */
export async function pullTimeEntryChanges(
  deps: TimeEntryFeedDeps,
  from: TimeEntryFeedPosition,
  limit = 500,
): Promise<TimeEntryChangePage> {
  const watermark = Date.parse(from.updatedSince);
  if (Number.isNaN(watermark))
    throw new ProblemError('validation-failed', { detail: 'The time entry feed position is not one this API gave.' });
  const seen = new Set(from.seen);
  const fresh = (await deps.updatedSince(secondOf(watermark)))
    .map((entry) => ({ entry, at: Math.floor(Date.parse(entry.updated_at) / 1000) * 1000, key: entryChangeKey(entry) }))
    .filter((c) => c.at > watermark || (c.at === watermark && !seen.has(c.key)))
    .sort((a, b) => a.at - b.at || a.entry.id - b.entry.id);
  const page = fresh.slice(0, limit);
  const last = page.at(-1);
  const at = last ? last.at : watermark;
  const next: TimeEntryFeedPosition = {
    updatedSince: secondOf(at),
    seen: [...(at === watermark ? from.seen : []), ...page.filter((c) => c.at === at).map((c) => c.key)],
  };
  const entries = await deps.toEntries(page.map((c) => c.entry));
  return {
    changes: page.map((c, i) => ({ entry: entries[i]!, changeKey: c.key, occurredAtMs: c.at })),
    next,
    more: fresh.length > page.length,
  };
}
