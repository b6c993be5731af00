// The Salesforce REST client: OAuth 2.0 client credentials, sObject reads and writes,
// SOQL with nextRecordsUrl paging, batch writes through sObject collections, and Salesforce
// errors mapped to problem details (errors.ts).
// It speaks only the vendor's shapes; mapping.ts turns them into the canonical model.
import { ProblemError } from '../../core/problems.js';
import type { Logger } from '../../core/observability/logger.js';
import { ClientCredentialsToken, PlatformClient, type PlatformResponse } from '../kit/index.js';
import type { SfCollectionResult, SfQueryResult, SfRecord, SfSaveResult, SObjectType } from './vendor-types.js';
import { isSalesforceId } from './mapping.js';
import { mapCrmError } from './errors.js';

export interface CrmConnectorOptions {
  /** The org's My Domain URL (token endpoint and REST API), e.g. https://acme.my.salesforce.com. */
  baseUrl: string;
  /** `v62.0`. */
  apiVersion: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  logger?: Logger;
  traceparent?: () => string | undefined;
  maxAttempts?: number;
  maxResponseBytes?: number;
  maxRetryAfterMs?: number;
  backoff?: { baseMs?: number; capMs?: number };
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
}

/** The org's daily API usage as last reported by Sforce-Limit-Info. */
export interface ApiUsage {
  used: number;
  max: number;
}

/** Salesforce answers a query in batches of at most 2,000 records. */
export const MAX_BATCH = 2000;
/** An sObject collection call takes at most 200 records; larger batches are split into several calls. */
export const MAX_COLLECTION = 200;
/** queryAll stops past this many records: callers that need more must page themselves. */
export const QUERY_ALL_CAP = 50_000;

function malformed(what: string): ProblemError {
  return new ProblemError('upstream-error', {
    detail: `The CRM answered ${what} in an unexpected shape.`,
    extensions: { platform: 'crm' },
  });
}

/** A SOQL string literal: backslashes and quotes escaped, so values never change a query's meaning. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

export class CrmConnector {
  private readonly client: PlatformClient;
  private readonly token: ClientCredentialsToken;
  private readonly base: string;
  private lastUsage?: ApiUsage;

  /** The org's base URL (its My Domain), where its record pages are too. */
  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  constructor(private readonly opts: CrmConnectorOptions) {
    const baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.base = `/services/data/${opts.apiVersion}`;
    this.token = new ClientCredentialsToken({
      tokenUrl: `${baseUrl}/services/oauth2/token`,
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      timeoutMs: opts.timeoutMs,
      platform: 'crm',
      // Salesforce sends no expires_in; sessions last at least 15 minutes, and a 401 refetches anyway.
      defaultLifetimeSeconds: 900,
    });
    this.client = new PlatformClient({
      platform: 'crm',
      baseUrl,
      timeoutMs: opts.timeoutMs,
      maxAttempts: opts.maxAttempts,
      maxResponseBytes: opts.maxResponseBytes,
      maxRetryAfterMs: opts.maxRetryAfterMs,
      backoff: opts.backoff,
      breaker: opts.breaker,
      authorize: (force) => this.token.header(force),
      mapError: mapCrmError,
      logger: opts.logger,
      traceparent: opts.traceparent,
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** The session's Authorization header, shared with the Streaming API client (`force`: a new token). */
  authorize(force = false): Promise<Record<string, string>> {
    return this.token.header(force);
  }

  /** Fetches an access token now (client credentials), so that a login failure shows apart from a read failure. Writes nothing. */
  async signIn(): Promise<void> {
    await this.token.header(true);
  }

  /** Daily API usage from the last answer's Sforce-Limit-Info header. */
  usage(): ApiUsage | undefined {
    return this.lastUsage ? { ...this.lastUsage } : undefined;
  }

  private async send<T>(req: Parameters<PlatformClient['request']>[0]): Promise<PlatformResponse<T>> {
    // 403 is taken here so that REQUEST_LIMIT_EXCEEDED maps to 503 rather than a credentials failure.
    const res = await this.client.request<T>({ ...req, acceptStatuses: [...(req.acceptStatuses ?? []), 403] });
    const m = /api-usage=(\d+)\/(\d+)/.exec(res.headers['sforce-limit-info'] ?? '');
    if (m) this.lastUsage = { used: Number(m[1]), max: Number(m[2]) };
    if (res.status === 403) throw mapCrmError(res);
    return res;
  }

  private recordPath(type: SObjectType, id: string): string {
    if (!isSalesforceId(id, type))
      throw new ProblemError('not-found', { detail: `No ${type} with id ${id}.`, extensions: { platform: 'crm' } });
    return `${this.base}/sobjects/${type}/${id}`;
  }

  /** One record, or undefined when the CRM has none with that id. */
  async get<T extends SfRecord>(type: SObjectType, id: string, fields?: readonly string[]): Promise<T | undefined> {
    const res = await this.send<T>({
      method: 'GET',
      path: this.recordPath(type, id),
      query: { fields: fields?.join(',') },
      acceptStatuses: [404],
    });
    if (res.status === 404) return undefined;
    if (!res.body || typeof res.body !== 'object' || typeof (res.body as SfRecord).Id !== 'string') throw malformed('a record');
    return res.body;
  }

  /** A record by an external-id field's value, or undefined. */
  async getByExternalId<T extends SfRecord>(
    type: SObjectType,
    field: string,
    value: string,
    fields?: readonly string[],
  ): Promise<T | undefined> {
    const res = await this.send<T>({
      method: 'GET',
      path: `${this.base}/sobjects/${type}/${encodeURIComponent(field)}/${encodeURIComponent(value)}`,
      query: { fields: fields?.join(',') },
      acceptStatuses: [404],
    });
    if (res.status === 404) return undefined;
    if (!res.body || typeof res.body !== 'object' || typeof (res.body as SfRecord).Id !== 'string') throw malformed('a record');
    return res.body;
  }

  /** POST create: not retried, since a lost answer could mean the record exists (use upsert for that). */
  async create(type: SObjectType, fields: Record<string, unknown>): Promise<string> {
    const res = await this.send<SfSaveResult>({ method: 'POST', path: `${this.base}/sobjects/${type}`, body: fields, retryable: false });
    if (!res.body?.success || typeof res.body.id !== 'string') throw malformed('a create');
    return res.body.id;
  }

  /**
   * Upsert by external id: safe to retry, because the same value addresses the same record.
   * 201 created; 200 (API v46.0+) or 204 (older) updated.
   */
  async upsert(
    type: SObjectType,
    field: string,
    value: string,
    fields: Record<string, unknown>,
  ): Promise<{ id?: string; created: boolean }> {
    const res = await this.send<SfSaveResult | undefined>({
      method: 'PATCH',
      path: `${this.base}/sobjects/${type}/${encodeURIComponent(field)}/${encodeURIComponent(value)}`,
      body: fields,
      retryable: true,
    });
    if (res.status === 204) return { created: false };
    if (!res.body || typeof res.body.id !== 'string') throw malformed('an upsert');
    return { id: res.body.id, created: res.status === 201 };
  }

  /** PATCH by id sets absolute field values, so repeating it changes nothing: retried. */
  async update(type: SObjectType, id: string, fields: Record<string, unknown>): Promise<void> {
    await this.send({ method: 'PATCH', path: this.recordPath(type, id), body: fields, retryable: true });
  }

  async delete(type: SObjectType, id: string): Promise<void> {
    await this.send({ method: 'DELETE', path: this.recordPath(type, id) });
  }

  /**
   * One sObject collection call per 200 records, in order. allOrNone holds within each call (the
   * CRM rolls that call back); calls already made stay made, so the results say what happened.
   */
  private async collection(
    count: number,
    call: (start: number, end: number) => Parameters<PlatformClient['request']>[0],
  ): Promise<SfCollectionResult[]> {
    const results: SfCollectionResult[] = [];
    for (let start = 0; start < count; start += MAX_COLLECTION) {
      const end = Math.min(start + MAX_COLLECTION, count);
      const res = await this.send<SfCollectionResult[]>(call(start, end));
      const body = res.body;
      if (!Array.isArray(body) || body.length !== end - start || !body.every((r) => typeof r?.success === 'boolean'))
        throw malformed('an sObject collection call');
      results.push(...body);
    }
    return results;
  }

  /** Creates records through sObject collections (POST, not retried: a lost answer may mean they exist). */
  async createMany(
    records: Array<{ type: SObjectType; fields: Record<string, unknown> }>,
    opts: { allOrNone?: boolean } = {},
  ): Promise<SfCollectionResult[]> {
    return this.collection(records.length, (start, end) => ({
      method: 'POST',
      path: `${this.base}/composite/sobjects`,
      body: {
        allOrNone: opts.allOrNone ?? false,
        records: records.slice(start, end).map((r) => ({ attributes: { type: r.type }, ...r.fields })),
      },
      retryable: false,
    }));
  }

  /** Updates records by id through sObject collections: absolute values, so retried like a single PATCH. */
  async updateMany(
    records: Array<{ type: SObjectType; id: string; fields: Record<string, unknown> }>,
    opts: { allOrNone?: boolean } = {},
  ): Promise<SfCollectionResult[]> {
    for (const r of records) this.recordPath(r.type, r.id);
    return this.collection(records.length, (start, end) => ({
      method: 'PATCH',
      path: `${this.base}/composite/sobjects`,
      body: {
        allOrNone: opts.allOrNone ?? false,
        records: records.slice(start, end).map((r) => ({ attributes: { type: r.type }, id: r.id, ...r.fields })),
      },
      retryable: true,
    }));
  }

  /** Upserts records of one type by an external-id field (API v46.0+): the same values address the same records, so retried. */
  async upsertMany(
    type: SObjectType,
    field: string,
    records: Array<Record<string, unknown>>,
    opts: { allOrNone?: boolean } = {},
  ): Promise<SfCollectionResult[]> {
    return this.collection(records.length, (start, end) => ({
      method: 'PATCH',
      path: `${this.base}/composite/sobjects/${type}/${encodeURIComponent(field)}`,
      body: { allOrNone: opts.allOrNone ?? false, records: records.slice(start, end).map((r) => ({ attributes: { type }, ...r })) },
      retryable: true,
    }));
  }

  /** Deletes records by id through sObject collections (DELETE ?ids=, 200 a call). */
  async deleteMany(ids: string[], opts: { allOrNone?: boolean } = {}): Promise<SfCollectionResult[]> {
    for (const id of ids)
      if (!isSalesforceId(id)) throw new ProblemError('not-found', { detail: `No record with id ${id}.`, extensions: { platform: 'crm' } });
    return this.collection(ids.length, (start, end) => ({
      method: 'DELETE',
      path: `${this.base}/composite/sobjects`,
      query: { ids: ids.slice(start, end).join(','), allOrNone: opts.allOrNone ? 'true' : undefined },
    }));
  }

  /** The first batch of a SOQL query. */
  async query<T extends SfRecord>(soql: string, batchSize?: number): Promise<SfQueryResult<T>> {
    const res = await this.send<SfQueryResult<T>>({
      method: 'GET',
      path: `${this.base}/query`,
      query: { q: soql },
      headers: batchSize ? { 'Sforce-Query-Options': `batchSize=${Math.min(Math.max(1, batchSize), MAX_BATCH)}` } : {},
    });
    return this.checkQuery(res.body);
  }

  /** The next batch, from a nextRecordsUrl the CRM gave (only its own query paths are followed). */
  async queryMore<T extends SfRecord>(nextRecordsUrl: string, batchSize?: number): Promise<SfQueryResult<T>> {
    if (!/^\/services\/data\/v\d+\.0\/query\/[A-Za-z0-9]+-\d+$/.test(nextRecordsUrl)) throw malformed('a nextRecordsUrl');
    const res = await this.send<SfQueryResult<T>>({
      method: 'GET',
      path: nextRecordsUrl,
      headers: batchSize ? { 'Sforce-Query-Options': `batchSize=${Math.min(Math.max(1, batchSize), MAX_BATCH)}` } : {},
    });
    return this.checkQuery(res.body);
  }

  /** Every record of a query, following nextRecordsUrl until done (capped, so a runaway query cannot exhaust memory). */
  async queryAll<T extends SfRecord>(soql: string, cap = QUERY_ALL_CAP): Promise<T[]> {
    let page = await this.query<T>(soql);
    const records = [...page.records];
    while (!page.done && page.nextRecordsUrl) {
      if (records.length >= cap) {
        throw new ProblemError('upstream-error', {
          detail: `The CRM query returned more than ${cap} records; narrow it.`,
          extensions: { platform: 'crm' },
        });
      }
      page = await this.queryMore<T>(page.nextRecordsUrl);
      records.push(...page.records);
    }
    return records;
  }

  private checkQuery<T extends SfRecord>(body: SfQueryResult<T> | undefined): SfQueryResult<T> {
    if (
      !body ||
      typeof body !== 'object' ||
      !Array.isArray(body.records) ||
      typeof body.done !== 'boolean' ||
      typeof body.totalSize !== 'number'
    ) {
      throw malformed('a query');
    }
    if (!body.done && typeof body.nextRecordsUrl !== 'string') throw malformed('a query (not done, but no nextRecordsUrl)');
    return body;
  }
}
