// The CRM sandbox's state: records per object, open query cursors, issued tokens, the org's
// API usage and its change event bus with the Streaming API's clients. Everything lives in
// memory; reset builds a fresh copy from the seed.
import { EventBus } from './event-bus.js';
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

/** A Streaming API client after its handshake: its subscriptions and the long poll it holds. */
export interface BayeuxClient {
  id: string;
  /** Channel -> the replay id of the last event delivered (or the start position). */
  subscriptions: Map<string, number>;
  /** Ends the held /meta/connect early (a newer connect, a disconnect). */
  release?: () => void;
  /** When the last answer went out; a client silent for 40 s after it is expired. */
  lastAnswerMs: number;
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
  /** Change events with their replay ids, kept for the retention window. */
  eventBus: EventBus;
  /** Streaming API (CometD) clients by clientId. */
  bayeuxClients: Map<string, BayeuxClient>;
  /**
   * Off by default: change events also go out as signed HTTP posts, standing in for an event relay
   * that a firm configures between Salesforce and the layer. Set through `/_sandbox/change-events`.
   */
  relayChangeEvents: boolean;
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
    eventBus: new EventBus(),
    bayeuxClients: new Map(),
    relayChangeEvents: false,
    smallQueryBatches: false,
  };
}
