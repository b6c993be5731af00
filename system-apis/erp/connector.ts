// The NetSuite REST web services client: OAuth 2.0 client credentials with a JWT client
// assertion signed by the integration's certificate key (NetSuite's machine-to-machine flow),
// record CRUD and upsert by external id, SuiteQL with limit/offset paging, and NetSuite
// error bodies mapped to problem details. It speaks the vendor's shapes only; mapping.ts
// turns them canonical. Pointing baseUrl and credentials at a real account is all that changes.
import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { ProblemError, type ProblemType } from '../../core/problems.js';
import type { Logger } from '../../core/observability/logger.js';
import { ClientCredentialsToken, PlatformClient, type PlatformClientOptions, type PlatformResponse } from '../kit/index.js';
import type { NsCollection, NsError, NsQueryResult, NsRecordType } from './vendor-types.js';

export interface ErpConnectorOptions {
  /** e.g. https://<account>.suitetalk.api.netsuite.com, or the sandbox's URL. */
  baseUrl: string;
  /** The integration record's client id (consumer key): the assertion's issuer. */
  clientId: string;
  /** The certificate uploaded in OAuth 2.0 Client Credentials (M2M) Setup and the private key that signs with it. */
  m2m: { certificateId: string; privateKey: KeyObject; algorithm: 'PS256' | 'ES256' };
  timeoutMs: number;
  logger?: Logger;
  traceparent?: () => string | undefined;
  /** Overrides for the shared client (tests shorten backoff and breaker windows). */
  client?: Partial<Pick<PlatformClientOptions, 'maxAttempts' | 'backoff' | 'breaker' | 'maxRetryAfterMs' | 'maxResponseBytes' | 'onCall'>>;
}

const RECORD = '/services/rest/record/v1';
const SUITEQL = '/services/rest/query/v1/suiteql';
const TOKEN = '/services/rest/auth/oauth2/v1/token';
/** The assertion lives briefly: NetSuite allows at most an hour past iat, a token request needs seconds. */
const ASSERTION_LIFETIME_SECONDS = 300;
/**
 * What the layer calls: REST web services (records and SuiteQL). NetSuite documents the claim
 * as one string, scopes separated by commas ("The Request Token Structure"), not an array.
 */
const M2M_SCOPE = 'rest_webservices';
/** NetSuite's approval status field values on an invoice. */
const APPROVED = '2';
/** NetSuite's page cap for record lists and SuiteQL. */
export const NS_MAX_PAGE = 1000;
const MAX_DETAIL = 500;

/** Maps a NetSuite error answer to a problem; keeps the vendor's detail and code, nothing else. */
export function mapNetSuiteError(res: PlatformResponse): ProblemError {
  const body = res.body as Partial<NsError> | undefined;
  const first = Array.isArray(body?.['o:errorDetails']) ? body['o:errorDetails'][0] : undefined;
  const vendorDetail = typeof first?.detail === 'string' ? first.detail.slice(0, MAX_DETAIL) : undefined;
  const code = typeof first?.['o:errorCode'] === 'string' && /^[A-Z_]{1,64}$/.test(first['o:errorCode']) ? first['o:errorCode'] : undefined;
  const type: ProblemType =
    res.status === 404
      ? 'not-found'
      : res.status === 409
        ? 'conflict'
        : res.status === 400 || res.status === 422
          ? 'unprocessable-content'
          : res.status === 504
            ? 'upstream-timeout'
            : res.status === 503
              ? 'upstream-unavailable'
              : 'upstream-error';
  return new ProblemError(type, {
    detail: vendorDetail ? `ERP: ${vendorDetail}` : `The ERP platform answered ${res.status}.`,
    extensions: { platform: 'erp', upstreamStatus: res.status, ...(code ? { upstreamCode: code } : {}) },
  });
}

function malformed(what: string): ProblemError {
  return new ProblemError('upstream-error', {
    detail: `The ERP platform answered with an unexpected ${what}.`,
    extensions: { platform: 'erp' },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> & { id: string } {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value) && typeof (value as { id?: unknown }).id === 'string';
}

function isPage(value: unknown): value is { items: unknown[]; hasMore: boolean; totalResults?: number } {
  const v = value as { items?: unknown; hasMore?: unknown } | undefined;
  return Boolean(v) && Array.isArray(v!.items) && typeof v!.hasMore === 'boolean';
}

export class ErpConnector {
  private readonly client: PlatformClient;
  private readonly token: ClientCredentialsToken;
  private readonly base: string;

  /** The account's REST base URL (its UI host is derived from it, see links.ts). */
  get baseUrl(): string {
    return this.base;
  }

  constructor(opts: ErpConnectorOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    const tokenUrl = `${this.base}${TOKEN}`;
    const { certificateId, privateKey, algorithm } = opts.m2m;
    this.token = new ClientCredentialsToken({
      tokenUrl,
      clientId: opts.clientId,
      timeoutMs: opts.timeoutMs,
      platform: 'erp',
      // RFC 7523 client authentication as NetSuite documents it: kid = certificate id, iss = client id, aud = the token URL.
      clientAssertion: () =>
        new SignJWT({ scope: M2M_SCOPE })
          .setProtectedHeader({ alg: algorithm, typ: 'JWT', kid: certificateId })
          .setIssuer(opts.clientId)
          .setAudience(tokenUrl)
          .setIssuedAt()
          .setExpirationTime(`${ASSERTION_LIFETIME_SECONDS}s`)
          .setJti(randomUUID())
          .sign(privateKey),
    });
    this.client = new PlatformClient({
      platform: 'erp',
      baseUrl: this.base,
      timeoutMs: opts.timeoutMs,
      authorize: (force) => this.token.header(force),
      mapError: mapNetSuiteError,
      logger: opts.logger,
      traceparent: opts.traceparent,
      ...opts.client,
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Fetches an access token now (M2M client assertion), so that a login failure shows apart from a read failure. Writes nothing. */
  async signIn(): Promise<void> {
    await this.token.header(true);
  }

  /** A record by internal id or `eid:<externalId>`, sublists expanded; undefined when it does not exist. */
  async getRecord<T>(type: NsRecordType, idOrEid: string): Promise<T | undefined> {
    const res = await this.client.request<unknown>({
      method: 'GET',
      path: `${RECORD}/${type}/${encodeURIComponent(idOrEid).replace(/^eid%3A/i, 'eid:')}`,
      query: { expandSubResources: true },
      acceptStatuses: [404],
    });
    if (res.status === 404) return undefined;
    if (!isRecord(res.body)) throw malformed(`${type} record`);
    return res.body as T;
  }

  /** Creates a record; NetSuite answers 204 with the new record's URL in Location. Not retried. */
  async createRecord(type: NsRecordType, body: Record<string, unknown>): Promise<string> {
    const res = await this.client.request({ method: 'POST', path: `${RECORD}/${type}`, body, retryable: false });
    return this.idFromLocation(type, res);
  }

  /**
   * Upsert by external id (`PUT …/eid:<externalId>`): the same call twice is one record,
   * so it is retried like any idempotent request. Answers the internal id.
   */
  async upsertRecord(type: NsRecordType, externalId: string, body: Record<string, unknown>): Promise<string> {
    const put = () =>
      this.client.request({ method: 'PUT', path: `${RECORD}/${type}/eid:${encodeURIComponent(externalId)}`, body, retryable: true });
    let res: PlatformResponse;
    try {
      res = await put();
    } catch (err) {
      // Two upserts of one external id at the same moment: the loser's create can be refused
      // as a duplicate. The record exists now, so the same upsert is an update: send it once more.
      const duplicate = err instanceof ProblemError && (err.status === 422 || err.status === 409);
      if (!duplicate || !(await this.getRecord(type, `eid:${externalId}`))) throw err;
      res = await put();
    }
    if (res.headers.location) return this.idFromLocation(type, res);
    const record = await this.getRecord<{ id: string }>(type, `eid:${externalId}`);
    if (!record) throw malformed(`upsert answer (no ${type} with external id ${externalId})`);
    return record.id;
  }

  /** Sets fields to absolute values, so sending it again changes nothing more: safe to retry. */
  async updateRecord(type: NsRecordType, id: string, patch: Record<string, unknown>): Promise<void> {
    await this.client.request({ method: 'PATCH', path: `${RECORD}/${type}/${encodeURIComponent(id)}`, body: patch, retryable: true });
  }

  async deleteRecord(type: NsRecordType, id: string): Promise<void> {
    await this.client.request({ method: 'DELETE', path: `${RECORD}/${type}/${encodeURIComponent(id)}` });
  }

  /**
   * Approves an invoice the way REST web services can: a PATCH of its approval status field to
   * Approved (NetSuite has no approve record action). An absolute value, so safe to retry.
   */
  async approveInvoice(id: string): Promise<void> {
    await this.updateRecord('invoice', id, { approvalStatus: { id: APPROVED } });
  }

  /** One page of a record list (ids and links only). */
  async listRecords(type: NsRecordType, page: { limit: number; offset: number }): Promise<NsCollection> {
    const res = await this.client.request<unknown>({
      method: 'GET',
      path: `${RECORD}/${type}`,
      query: { limit: Math.min(page.limit, NS_MAX_PAGE), offset: page.offset },
    });
    if (!isPage(res.body)) throw malformed(`${type} list`);
    return res.body as NsCollection;
  }

  /** One page of a SuiteQL query. Queries only read, so they are retried. */
  async query<Row extends Record<string, string | null | undefined>>(
    q: string,
    page: { limit: number; offset: number },
  ): Promise<NsQueryResult<Row>> {
    const res = await this.client.request<unknown>({
      method: 'POST',
      path: SUITEQL,
      query: { limit: Math.min(page.limit, NS_MAX_PAGE), offset: page.offset },
      headers: { prefer: 'transient' },
      body: { q },
      retryable: true,
    });
    if (!isPage(res.body)) throw malformed('SuiteQL answer');
    return res.body as NsQueryResult<Row>;
  }

  /** Every row of a query, page after page, up to `maxRows` (beyond it: an error, not a silent cut). */
  async queryAll<Row extends Record<string, string | null | undefined>>(q: string, maxRows = 10_000): Promise<Row[]> {
    const rows: Row[] = [];
    for (let offset = 0; ; offset += NS_MAX_PAGE) {
      const page = await this.query<Row>(q, { limit: NS_MAX_PAGE, offset });
      for (const { links: _links, ...row } of page.items) rows.push(row as unknown as Row);
      if (rows.length > maxRows) {
        throw new ProblemError('upstream-error', {
          detail: `The ERP query returned more than ${maxRows} rows.`,
          extensions: { platform: 'erp' },
        });
      }
      if (!page.hasMore || page.items.length === 0) return rows;
    }
  }

  private idFromLocation(type: NsRecordType, res: PlatformResponse): string {
    const location = res.headers.location ?? '';
    let path: string;
    try {
      path = new URL(location, this.base).pathname;
    } catch {
      throw malformed('Location header');
    }
    const match = new RegExp(`/record/v1/${type}/(\\d+)$`, 'i').exec(path);
    if (!match) throw malformed('Location header');
    return match[1]!;
  }
}
