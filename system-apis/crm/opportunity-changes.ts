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

/** The SOQL datetime literal: unquoted, UTC, whole seconds (`1999-01-01T23:01:01Z`). */
export function soqlDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A feed that starts `lookbackMs` before `now`, so that its first pass finds recent wins. */
export function opportunityFeedStart(now: number, lookbackMs: number): OpportunityFeedPosition {
  return { watermark: soqlDateTime(now - lookbackMs), lastId: '' };
}

export function opportunityChangesQuery(from: OpportunityFeedPosition, limit: number): string {
  const at = soqlDateTime(Date.parse(from.watermark));
  const tie = from.lastId ? ` OR (SystemModstamp = ${at} AND Id > ${soqlString(from.lastId)})` : ` OR SystemModstamp = ${at}`;
  return (
    `SELECT Id, StageName, IsWon, SystemModstamp FROM Opportunity WHERE SystemModstamp > ${at}${tie} ` +
    `ORDER BY SystemModstamp, Id LIMIT ${limit}`
  );
}

const upstream = (detail: string) => new ProblemError('upstream-error', { detail, extensions: { platform: 'crm' } });

/** One page of opportunities modified after `from`, oldest first. */
export async function pullOpportunityChanges(
  connector: Pick<CrmConnector, 'query'>,
  from: OpportunityFeedPosition,
  limit = 200,
): Promise<OpportunityChangePage> {
  const result = await connector.query<SfOpportunity>(opportunityChangesQuery(from, limit), limit);
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
