// The time platform's HTTP client (Harvest API v2 shape): bearer token plus Harvest-Account-Id
// and a User-Agent on every call, page/per_page paging with next_page, 404 lookups as
// undefined, and Harvest's error bodies mapped to problem details. Credentials only ever
// travel in headers, never in an error, a log line or a URL.
import { PlatformClient, probeRead, type ProbeAnswer, type PlatformClientOptions, type PlatformResponse } from '../kit/index.js';
import { ProblemError } from '../../core/problems.js';
import type { Logger } from '../../core/observability/logger.js';
import type {
  HarvestApprovalStatus,
  HarvestClient,
  HarvestProject,
  HarvestProjectInput,
  HarvestExpense,
  HarvestExpensesPage,
  HarvestPage,
  HarvestTimeEntriesPage,
  HarvestTimeEntry,
  HarvestTimeEntryInput,
  HarvestTimesheetApproval,
  HarvestTimesheetApprovalInput,
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
  approvalStatus?: HarvestApprovalStatus;
  /** RFC 3339 instant. */
  updatedSince?: string;
  from?: string;
  to?: string;
}

/** Harvest's page size limit. */
export const MAX_PER_PAGE = 2000;
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
    typeof body.approval_status !== 'string' ||
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
    typeof body.approval_status !== 'string' ||
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
    typeof body.page !== 'number' ||
    !(body.next_page === null || typeof body.next_page === 'number')
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
    approval_status: filter.approvalStatus,
    updated_since: filter.updatedSince,
    from: filter.from,
    to: filter.to,
  };
}

export class TimeConnector {
  private readonly client: PlatformClient;

  constructor(opts: TimeConnectorOptions) {
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

  async listTimeEntries(filter: TimeEntryFilter = {}, page = 1, perPage = 100): Promise<HarvestTimeEntriesPage> {
    const res = await this.client.request<unknown>({
      method: 'GET',
      path: '/v2/time_entries',
      query: { ...pageQuery(filter), page, per_page: Math.min(perPage, MAX_PER_PAGE) },
    });
    const body = expectPage(res.body, 'time_entries');
    return { ...body, time_entries: body.time_entries.map(expectEntry) };
  }

  /** Every entry matching the filter, following next_page. */
  async allTimeEntries(filter: TimeEntryFilter = {}): Promise<HarvestTimeEntry[]> {
    const out: HarvestTimeEntry[] = [];
    for (let page: number | null = 1; page !== null;) {
      const body: HarvestTimeEntriesPage = await this.listTimeEntries(filter, page, MAX_PER_PAGE);
      out.push(...body.time_entries);
      page = body.next_page;
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

  /** Sets is_billed; setting it to the value it has changes nothing, so a retry is harmless. */
  async setTimeEntryBilled(id: number, billed: boolean): Promise<HarvestTimeEntry> {
    const res = await this.client.request<unknown>({
      method: 'PATCH',
      path: `/v2/time_entries/${id}`,
      body: { is_billed: billed },
      retryable: true,
    });
    return expectEntry(res.body);
  }

  async listExpenses(filter: Omit<TimeEntryFilter, 'isRunning'> = {}, page = 1, perPage = 100): Promise<HarvestExpensesPage> {
    const res = await this.client.request<unknown>({
      method: 'GET',
      path: '/v2/expenses',
      query: { ...pageQuery(filter), page, per_page: Math.min(perPage, MAX_PER_PAGE) },
    });
    const body = expectPage(res.body, 'expenses');
    return { ...body, expenses: body.expenses.map(expectExpense) };
  }

  async getExpense(id: number): Promise<HarvestExpense | undefined> {
    const res = await this.client.request<unknown>({ method: 'GET', path: `/v2/expenses/${id}`, acceptStatuses: [404] });
    return res.status === 404 ? undefined : expectExpense(res.body);
  }

  async setExpenseBilled(id: number, billed: boolean): Promise<HarvestExpense> {
    const res = await this.client.request<unknown>({
      method: 'PATCH',
      path: `/v2/expenses/${id}`,
      body: { is_billed: billed },
      retryable: true,
    });
    return expectExpense(res.body);
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

  /** Every client, following next_page (a firm has hundreds, not millions). */
  async allClients(): Promise<HarvestClient[]> {
    const out: HarvestClient[] = [];
    for (let page: number | null = 1; page !== null;) {
      const res: PlatformResponse<unknown> = await this.client.request<unknown>({
        method: 'GET',
        path: '/v2/clients',
        query: { page, per_page: MAX_PER_PAGE },
      });
      const body: HarvestPage & { clients: unknown[] } = expectPage(res.body, 'clients');
      out.push(...body.clients.map(expectClient));
      page = body.next_page;
    }
    return out;
  }

  async createClient(input: { name: string; currency: string }): Promise<HarvestClient> {
    return expectClient((await this.client.request<unknown>({ method: 'POST', path: '/v2/clients', body: input })).body);
  }

  /** Submits, approves or rejects a user's week. Each action moves entries from one state only, so a retry is harmless. */
  async timesheetApproval(input: HarvestTimesheetApprovalInput): Promise<HarvestTimesheetApproval> {
    const res = await this.client.request<unknown>({ method: 'POST', path: '/v2/timesheet_approvals', body: input, retryable: true });
    const b = res.body;
    if (
      !isObject(b) ||
      typeof b.user_id !== 'number' ||
      !Array.isArray(b.time_entry_ids) ||
      !Array.isArray(b.expense_ids) ||
      typeof b.approval_status !== 'string'
    ) {
      throw malformed('timesheet approval');
    }
    return b as unknown as HarvestTimesheetApproval;
  }

  /** One read-only GET with the connector's credentials and the answer's headers, for `npm run check:platforms`. */
  probe(path: `/v2/${string}`, query: Record<string, string | number> = {}): Promise<ProbeAnswer> {
    return probeRead(this.client, path, query);
  }
}
