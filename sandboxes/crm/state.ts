// The CRM sandbox's state: records per object, open query cursors, issued tokens and the
// org's API usage. Everything lives in memory; reset builds a fresh copy from the seed.
import type { SObjectName } from './ids.js';
import type { FieldRef } from './soql-parser.js';

/** A stored record: field name -> JSON value, always with Id and the system timestamps. */
export type StoredRecord = Record<string, unknown> & { Id: string };

export interface QueryCursor {
  object: SObjectName;
  refs: FieldRef[];
  ids: string[];
  expiresAt: number;
}

export interface IssuedToken {
  clientId: string;
  expiresAt: number;
}

export interface CrmState {
  orgId: string;
  /** The integration user the connected app runs as (commitUser of change events). */
  integrationUserId: string;
  credentials: { clientId: string; clientSecret: string }[];
  records: Record<SObjectName, Map<string, StoredRecord>>;
  /** Next record number per object (ids are sequential per object, as in a real org). */
  nextNumber: Record<SObjectName, number>;
  cursors: Map<string, QueryCursor>;
  nextCursor: number;
  tokens: Map<string, IssuedToken>;
  /** Session lifetime of issued tokens, in seconds. */
  sessionSeconds: number;
  apiUsage: { used: number; max: number };
  replayId: number;
  /**
   * Off by default, as in Salesforce, which answers queries in batches of at least 200 records.
   * Tests switch it on to page through the small seed in batches as small as one record.
   */
  smallQueryBatches: boolean;
}

export function emptyState(): CrmState {
  return {
    orgId: '00DDn0000000001EAA',
    integrationUserId: '005Dn0000000001AAA',
    credentials: [{ clientId: 'sandbox-crm-client', clientSecret: 'sandbox-crm-secret' }],
    records: { Account: new Map(), Contact: new Map(), Opportunity: new Map() },
    nextNumber: { Account: 1, Contact: 1, Opportunity: 1 },
    cursors: new Map(),
    nextCursor: 1,
    tokens: new Map(),
    sessionSeconds: 7200,
    apiUsage: { used: 0, max: 100_000 },
    replayId: 1,
    smallQueryBatches: false,
  };
}
