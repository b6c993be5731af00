// The CRM's opportunities read by modification time: the catch-up feed that finds deals won
// while the change stream was away (outside the 72-hour event retention, or before the
// stream's first subscribe). Keyset paging on SystemModstamp with Id as the tie-breaker.
import { ProblemError } from '../../core/problems.js';
import { soqlString, type CrmConnector } from './connector.js';
import { isSalesforceId } from './mapping.js';
import type { SfOpportunity } from './vendor-types.js';

/** Where the feed stands: the last record read (its SystemModstamp, whole seconds, and its id). */
export interface OpportunityFeedPosition {
  /** RFC 3339 UTC, whole seconds. */
  watermark: string;
  /** The CRM id of the last record read at `watermark`; '' before any. */
  lastId: string;
}

export interface OpportunityChange {
  /** The CRM's record id (what change events carry in recordIds). */
  crmId: string;
  /** Whether the deal is won now (IsWon), as read. */
  won: boolean;
  /** When the record was last modified on the CRM (epoch ms). */
  modifiedAtMs: number;
  /** Unique per record and modification: reading the same state again gives the same key. */
  changeKey: string;
}

export interface OpportunityChangePage {
  changes: OpportunityChange[];
  next: OpportunityFeedPosition;
  more: boolean;
}

/**
 * How far behind the CRM's clock the feed reads. Stamps are whole seconds: a record read in the
 * current second and saved again in that same second keeps its stamp, and a later pass that
 * starts after (stamp, Id) would never see the second save (a won deal missed). Reading only
 * seconds that ended a while ago also leaves time for transactions still committing with an
 * earlier stamp, and for clock skew between the layer and the CRM.
 */
export const SETTLE_MS = 5_000;

/** The SOQL datetime literal: unquoted, UTC, whole seconds (`1999-01-01T23:01:01Z`). */
export function soqlDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A feed that starts `lookbackMs` before `now`, so that its first pass finds recent wins. */
export function opportunityFeedStart(now: number, lookbackMs: number): OpportunityFeedPosition {
  return { watermark: soqlDateTime(now - lookbackMs), lastId: '' };
}

/** Records after `from` (by stamp, then Id) whose stamp is before `horizonMs`, oldest first. */
export function opportunityChangesQuery(from: OpportunityFeedPosition, limit: number, horizonMs: number): string {
  const at = soqlDateTime(Date.parse(from.watermark));
  const tie = from.lastId ? ` OR (SystemModstamp = ${at} AND Id > ${soqlString(from.lastId)})` : ` OR SystemModstamp = ${at}`;
  return (
    `SELECT Id, StageName, IsWon, SystemModstamp FROM Opportunity WHERE (SystemModstamp > ${at}${tie}) ` +
    `AND SystemModstamp < ${soqlDateTime(horizonMs)} ORDER BY SystemModstamp, Id LIMIT ${limit}`
  );
}

const upstream = (detail: string) => new ProblemError('upstream-error', { detail, extensions: { platform: 'crm' } });

/** One page of opportunities modified after `from`, oldest first. */
export async function pullOpportunityChanges(
  connector: Pick<CrmConnector, 'query'>,
  from: OpportunityFeedPosition,
  options: { limit?: number; now?: number } = {},
): Promise<OpportunityChangePage> {
  const limit = options.limit ?? 200;
  const horizon = (options.now ?? Date.now()) - SETTLE_MS;
  const result = await connector.query<SfOpportunity>(opportunityChangesQuery(from, limit, horizon), limit);
  const changes = result.records.map((r): OpportunityChange => {
    const modifiedAtMs = Date.parse(String(r.SystemModstamp).replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (!isSalesforceId(r.Id, 'Opportunity') || Number.isNaN(modifiedAtMs))
      throw upstream('The CRM answered the opportunity change query with a record without Id or SystemModstamp.');
    return { crmId: r.Id, won: r.IsWon === true, modifiedAtMs, changeKey: `${r.Id}@${soqlDateTime(modifiedAtMs)}` };
  });
  const last = changes.at(-1);
  return {
    changes,
    next: last ? { watermark: soqlDateTime(last.modifiedAtMs), lastId: last.crmId } : from,
    more: changes.length === limit,
  };
}
