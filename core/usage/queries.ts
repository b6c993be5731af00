// Reads recorded usage: calls per consumer and operation since a day, for the operations API,
// the board's review report (consumer impact) and the list of who still calls deprecated versions.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { toIso } from '../store/portable.js';
import './schema.js';

export interface UsageRow {
  contract: string;
  version: string;
  operation: string;
  consumer: string;
  calls: number;
  errors: number;
  /** RFC 3339 instant of the last call counted. */
  lastCalledAt: string;
  deprecated: boolean;
}

export interface UsageQuery {
  /** First UTC day included, YYYY-MM-DD. */
  since: string;
  /** {layer}/{api}/v{major} */
  contract?: string;
  consumer?: string;
  deprecatedOnly?: boolean;
}

export async function queryUsage(db: Kysely<Database>, query: UsageQuery): Promise<UsageRow[]> {
  let q = db
    .selectFrom('api_usage')
    .select((eb) => [
      'contract',
      'version',
      'operation',
      'consumer',
      eb.fn.sum<number>('calls').as('calls'),
      eb.fn.sum<number>('errors').as('errors'),
      eb.fn.max<number>('last_at').as('last_at'),
      eb.fn.max<number>('deprecated').as('deprecated'),
    ])
    .where('day', '>=', query.since)
    .groupBy(['contract', 'version', 'operation', 'consumer']);
  if (query.contract) q = q.where('contract', '=', query.contract);
  if (query.consumer) q = q.where('consumer', '=', query.consumer);
  if (query.deprecatedOnly) q = q.where('deprecated', '=', 1);
  const rows = await q.orderBy('contract').orderBy('operation').orderBy('consumer').execute();
  return rows.map((r) => ({
    contract: r.contract,
    version: r.version,
    operation: r.operation,
    consumer: r.consumer,
    calls: Number(r.calls),
    errors: Number(r.errors),
    lastCalledAt: toIso(Number(r.last_at)),
    deprecated: Number(r.deprecated) === 1,
  }));
}

/** YYYY-MM-DD of `days` days before now (UTC). */
export function daysAgo(days: number, now = Date.now()): string {
  return new Date(now - days * 86_400_000).toISOString().slice(0, 10);
}
