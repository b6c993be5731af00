// The time platform's HTTP client (Harvest API v2 shape): bearer token plus Harvest-Account-Id
// and a User-Agent on every call, lists paged by following each answer's `links.next` (Harvest's
// documented way: never built from page numbers), 404 lookups as undefined, and Harvest's error
// bodies mapped to problem details. It only reads and creates: Harvest's billed flag is read-only.
// Credentials only ever travel in headers, never in an error, a log line or a URL.
import { PlatformClient, probeRead, type ProbeAnswer, type PlatformClientOptions, type PlatformResponse } from '../kit/index.js';
import { ProblemError } from '../../core/problems.js';
import type { Logger } from '../../core/observability/logger.js';
import type {
  HarvestClient,
  HarvestProject,
  HarvestProjectInput,
  HarvestExpense,
  HarvestExpensesPage,
  HarvestPage,
  HarvestTimeEntriesPage,
  HarvestTimeEntry,
  HarvestTimeEntryInput,
} from './vendor-types.js';

export interface TimeConnectorOptions {
  baseUrl: string;
  accessToken: string;
  accountId: string;
  timeoutMs: number;
  /** Harvest requires the application's name and a contact. */
  userAgent?: string;
  logger?: Logger;
  traceparent?: () => string | undefined;
  maxAttempts?: number;
  maxRetryAfterMs?: number;
  maxResponseBytes?: number;
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
  backoff?: { baseMs?: number; capMs?: number };
  onCall?: PlatformClientOptions['onCall'];
}

export interface TimeEntryFilter {
  userId?: number;
  projectId?: number;
  isBilled?: boolean;
  isRunning?: boolean;
  /** RFC 3339 instant. */
  updatedSince?: string;
  from?: string;
  to?: string;
}

/** Harvest's page size limit. */
export const MAX_PER_PAGE = 2000;
/** The longest next-page link followed (Harvest's carry the list's filters and a short cursor). */
export const MAX_LINK_LENGTH = 2048;

/** A page of a list, with the path of the next one (Harvest's links.next, relative to the base URL) or null. */
export type TimeEntriesPage = HarvestTimeEntriesPage & { nextPath: string | null };
export type ExpensesPage = HarvestExpensesPage & { nextPath: string | null };
const PLATFORM = 'time';
const DEFAULT_USER_AGENT = 'ps-connectivity-layer (integration-platform@example.com)';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function malformed(what: string): ProblemError {
  return new ProblemError('upstream-error', {
    detail: `The time platform answered with an unexpected ${what}.`,
    extensions: { platform: PLATFORM },
  });
}

function isRef(v: unknown): boolean {
  return isObject(v) && typeof v.id === 'number' && typeof v.name === 'string';
}

/** Checks the fields the mapping relies on, so that a changed or broken answer is a 502, not a crash. */
function expectEntry(body: unknown): HarvestTimeEntry {
  if (
    !isObject(body) ||
    typeof body.id !== 'number' ||
    typeof body.hours !== 'number' ||
    typeof body.spent_date !== 'string' ||
    !isRef(body.user) ||
    !isRef(body.project) ||
    !isRef(body.task) ||
    !isObject(body.client) ||
    typeof body.client.currency !== 'string' ||
    typeof body.is_closed !== 'boolean' ||
    typeof body.is_billed !== 'boolean' ||
    typeof body.updated_at !== 'string'
  ) {
    throw malformed('time entry');
  }
  return body as unknown as HarvestTimeEntry;
}

function expectExpense(body: unknown): HarvestExpense {
  if (
    !isObject(body) ||
    typeof body.id !== 'number' ||
    typeof body.total_cost !== 'number' ||
    typeof body.spent_date !== 'string' ||
    !isRef(body.user) ||
    !isRef(body.project) ||
    !isObject(body.client) ||
    typeof body.client.currency !== 'string' ||
    !isRef(body.expense_category) ||
    typeof body.is_closed !== 'boolean' ||
    typeof body.is_billed !== 'boolean' ||
    typeof body.updated_at !== 'string'
  ) {
    throw malformed('expense');
  }
  return body as unknown as HarvestExpense;
}

function expectPage<K extends string>(body: unknown, key: K): HarvestPage & Record<K, unknown[]> {
  if (
    !isObject(body) ||
    !Array.isArray(body[key]) ||
    typeof body.total_entries !== 'number' ||
    !isObject(body.links) ||
    !(body.links.next === null || typeof body.links.next === 'string')
  ) {
    throw malformed('page');
  }
  return body as unknown as HarvestPage & Record<K, unknown[]>;
}

function expectProject(body: unknown): HarvestProject {
  if (
    !isObject(body) ||
    typeof body.id !== 'number' ||
    typeof body.name !== 'string' ||
    !isObject(body.client) ||
    typeof body.client.id !== 'number' ||
    typeof body.client.currency !== 'string' ||
    typeof body.updated_at !== 'string'
  ) {
    throw malformed('project');
  }
  return body as unknown as HarvestProject;
}

function expectClient(body: unknown): HarvestClient {
  if (!isObject(body) || typeof body.id !== 'number' || typeof body.name !== 'string' || typeof body.currency !== 'string')
    throw malformed('client');
  return body as unknown as HarvestClient;
}

/** Harvest's error answers as problem details; the vendor message is kept, nothing of the request. */
export function mapHarvestError(res: PlatformResponse): ProblemError {
  const body = isObject(res.body) ? res.body : {};
  const extensions = { platform: PLATFORM, upstreamStatus: res.status };
  const message =
    typeof body.message === 'string'
      ? body.message
      : typeof body.error_description === 'string'
        ? body.error_description
        : typeof body.error === 'string'
          ? body.error
          : undefined;
  if (res.status === 422)
    return new ProblemError('unprocessable-content', {
      detail: `The time platform refused the change: ${message ?? 'invalid data'}`,
      extensions,
    });
  if (res.status === 404) return new ProblemError('not-found', { detail: 'Not found on the time platform.', extensions });
  return new ProblemError('upstream-error', {
    detail: `The time platform answered ${res.status}${message ? `: ${message}` : ''}.`,
    extensions,
  });
}

function pageQuery(filter: TimeEntryFilter): Record<string, string | number | boolean | undefined> {
  return {
    user_id: filter.userId,
    project_id: filter.projectId,
    is_billed: filter.isBilled,
    is_running: filter.isRunning,
    updated_since: filter.updatedSince,
    from: filter.from,
    to: filter.to,
  };
}

export class TimeConnector {
  private readonly client: PlatformClient;
  private readonly baseUrl: string;

  constructor(opts: TimeConnectorOptions) {
    this.baseUrl = opts.baseUrl;
    const headers = {
      Authorization: `Bearer ${opts.accessToken}`,
      'Harvest-Account-Id': opts.accountId,
      'User-Agent': opts.userAgent ?? DEFAULT_USER_AGENT,
    };
    this.client = new PlatformClient({
      platform: PLATFORM,
      baseUrl: opts.baseUrl,
      timeoutMs: opts.timeoutMs,
      maxAttempts: opts.maxAttempts,
      // Harvest's window is 15 s: waiting it out is better than failing a paging run.
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 16_000,
      maxResponseBytes: opts.maxResponseBytes,
      breaker: opts.breaker,
      backoff: opts.backoff,
      onCall: opts.onCall,
      logger: opts.logger,
      traceparent: opts.traceparent,
      // A personal access token: nothing to refresh, so a 401 is final.
      authorize: async () => headers,
      mapError: mapHarvestError,
    });
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /**
   * A Harvest next-page link as a path relative to the base URL: only a link to the same list on
   * the configured host is followed, so a changed or hostile answer cannot send the client elsewhere.
   */
  private listPath(link: string, list: string): string {
    const base = this.baseUrl.replace(/\/+$/, '');
    const prefix = `${base}/v2/${list}?`;
    if (!link.startsWith(prefix) || link.length > MAX_LINK_LENGTH) throw malformed(`${list} next link`);
    return link.slice(base.length);
  }

  private async listAt<K extends 'time_entries' | 'expenses' | 'clients'>(
    list: K,
    at: { path: string } | { query: Record<string, string | number | boolean | undefined> },
  ): Promise<HarvestPage & Record<K, unknown[]> & { nextPath: string | null }> {
    const res = await this.client.request<unknown>({
      method: 'GET',
      ...('path' in at ? { path: at.path } : { path: `/v2/${list}`, query: at.query }),
    });
    const body = expectPage(res.body, list);
    return { ...body, nextPath: body.links.next === null ? null : this.listPath(body.links.next, list) };
  }

  /** The first page of matching entries; `nextPath` (Harvest's links.next) leads on. */
  async listTimeEntries(filter: TimeEntryFilter = {}, perPage = 100): Promise<TimeEntriesPage> {
    const body = await this.listAt('time_entries', { query: { ...pageQuery(filter), per_page: Math.min(perPage, MAX_PER_PAGE) } });
    return { ...body, time_entries: body.time_entries.map(expectEntry) };
  }

  /** The page at a `nextPath` an earlier page gave. */
  async timeEntriesAt(nextPath: string): Promise<TimeEntriesPage> {
    const body = await this.listAt('time_entries', {
      path: this.listPath(`${this.baseUrl.replace(/\/+$/, '')}${nextPath}`, 'time_entries'),
    });
    return { ...body, time_entries: body.time_entries.map(expectEntry) };
  }

  /** Every entry matching the filter, following links.next. */
  async allTimeEntries(filter: TimeEntryFilter = {}): Promise<HarvestTimeEntry[]> {
    const out: HarvestTimeEntry[] = [];
    let page = await this.listTimeEntries(filter, MAX_PER_PAGE);
    out.push(...page.time_entries);
    while (page.nextPath !== null) {
      page = await this.timeEntriesAt(page.nextPath);
      out.push(...page.time_entries);
    }
    return out;
  }

  async getTimeEntry(id: number): Promise<HarvestTimeEntry | undefined> {
    const res = await this.client.request<unknown>({ method: 'GET', path: `/v2/time_entries/${id}`, acceptStatuses: [404] });
    return res.status === 404 ? undefined : expectEntry(res.body);
  }

  async createTimeEntry(input: HarvestTimeEntryInput): Promise<HarvestTimeEntry> {
    return expectEntry((await this.client.request<unknown>({ method: 'POST', path: '/v2/time_entries', body: input })).body);
  }

  async listExpenses(filter: Omit<TimeEntryFilter, 'isRunning'> = {}, perPage = 100): Promise<ExpensesPage> {
    const body = await this.listAt('expenses', { query: { ...pageQuery(filter), per_page: Math.min(perPage, MAX_PER_PAGE) } });
    return { ...body, expenses: body.expenses.map(expectExpense) };
  }

  async expensesAt(nextPath: string): Promise<ExpensesPage> {
    const body = await this.listAt('expenses', { path: this.listPath(`${this.baseUrl.replace(/\/+$/, '')}${nextPath}`, 'expenses') });
    return { ...body, expenses: body.expenses.map(expectExpense) };
  }

  async getExpense(id: number): Promise<HarvestExpense | undefined> {
    const res = await this.client.request<unknown>({ method: 'GET', path: `/v2/expenses/${id}`, acceptStatuses: [404] });
    return res.status === 404 ? undefined : expectExpense(res.body);
  }

  async getProject(id: number): Promise<HarvestProject | undefined> {
    const res = await this.client.request<unknown>({ method: 'GET', path: `/v2/projects/${id}`, acceptStatuses: [404] });
    return res.status === 404 ? undefined : expectProject(res.body);
  }

  async createProject(input: HarvestProjectInput): Promise<HarvestProject> {
    return expectProject((await this.client.request<unknown>({ method: 'POST', path: '/v2/projects', body: input })).body);
  }

  async updateProject(id: number, patch: Partial<HarvestProjectInput>): Promise<HarvestProject> {
    return expectProject(
      (await this.client.request<unknown>({ method: 'PATCH', path: `/v2/projects/${id}`, body: patch, retryable: true })).body,
    );
  }

  /** Every client, following links.next (a firm has hundreds, not millions). */
  async allClients(): Promise<HarvestClient[]> {
    const out: HarvestClient[] = [];
    let page = await this.listAt('clients', { query: { per_page: MAX_PER_PAGE } });
    out.push(...page.clients.map(expectClient));
    while (page.nextPath !== null) {
      page = await this.listAt('clients', { path: page.nextPath });
      out.push(...page.clients.map(expectClient));
    }
    return out;
  }

  async createClient(input: { name: string; currency: string }): Promise<HarvestClient> {
    return expectClient((await this.client.request<unknown>({ method: 'POST', path: '/v2/clients', body: input })).body);
  }

  /** One read-only GET with the connector's credentials and the answer's headers, for `npm run check:platforms`. */
  probe(path: `/v2/${string}`, query: Record<string, string | number> = {}): Promise<ProbeAnswer> {
    return probeRead(this.client, path, query);
  }
}
