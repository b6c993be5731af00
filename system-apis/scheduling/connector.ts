// The scheduling platform's HTTP client (Float API v3 shape): bearer-token auth, page/per-page
// paging read from X-Pagination-* headers, reads and writes paced on Float's two budgets,
// 404 lookups as undefined, and Float's error bodies mapped to problem details. The API token
// only ever travels in the Authorization header.
import { PlatformClient, probeRead, type ProbeAnswer, type PlatformClientOptions, type PlatformResponse } from '../kit/index.js';
import { ProblemError } from '../../core/problems.js';
import type { Logger } from '../../core/observability/logger.js';
import { RateBudgets, type BudgetSnapshot, type RateLimits, type RequestKind } from './rate-budgets.js';
import type {
  FloatPerson,
  FloatPersonInput,
  FloatProject,
  FloatProjectInput,
  FloatTask,
  FloatTaskInput,
  FloatValidationErrors,
} from './vendor-types.js';

export interface SchedulingConnectorOptions {
  baseUrl: string;
  apiToken: string;
  timeoutMs: number;
  logger?: Logger;
  traceparent?: () => string | undefined;
  maxAttempts?: number;
  maxRetryAfterMs?: number;
  maxResponseBytes?: number;
  /** Float asks integrations to name themselves and a contact in User-Agent. */
  userAgent?: string;
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
  backoff?: { baseMs?: number; capMs?: number };
  /** Counts each upstream attempt (metrics). */
  onCall?: PlatformClientOptions['onCall'];
  /** The account's request budgets; default Float's documented 200 reads and 100 writes a minute. */
  rateLimits?: Partial<RateLimits>;
}

/** List filters Float offers on allocations; `modifiedSince` is Float's "YYYY-MM-DD HH:MM:SS" (UTC). */
export interface TaskFilter {
  peopleId?: number;
  projectId?: number;
  startDate?: string;
  endDate?: string;
  modifiedSince?: string;
}

export interface FloatPage<T> {
  items: T[];
  page: number;
  pageCount: number;
  totalCount: number;
}

/** Float's page size limit. */
export const MAX_PER_PAGE = 200;
const PLATFORM = 'scheduling';
const DEFAULT_USER_AGENT = 'ps-connectivity-layer (integration-platform@example.com)';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function malformed(what: string): ProblemError {
  return new ProblemError('upstream-error', {
    detail: `The scheduling platform answered with an unexpected ${what}.`,
    extensions: { platform: PLATFORM },
  });
}

/** Checks the fields the mapping relies on, so that a changed or broken answer is a 502, not a crash. */
function expectRecord<T>(body: unknown, idField: string, what: string): T {
  if (!isObject(body) || typeof body[idField] !== 'number') throw malformed(what);
  return body as T;
}

function expectPerson(body: unknown): FloatPerson {
  const p = expectRecord<FloatPerson>(body, 'people_id', 'person');
  if (typeof p.name !== 'string' || !Array.isArray(p.work_days_hours) || typeof p.modified !== 'string') throw malformed('person');
  return p;
}
function expectProject(body: unknown): FloatProject {
  const p = expectRecord<FloatProject>(body, 'project_id', 'project');
  if (typeof p.name !== 'string' || typeof p.modified !== 'string') throw malformed('project');
  return p;
}
function expectTask(body: unknown): FloatTask {
  const t = expectRecord<FloatTask>(body, 'task_id', 'allocation');
  if (
    typeof t.people_id !== 'number' ||
    typeof t.project_id !== 'number' ||
    typeof t.hours !== 'number' ||
    typeof t.start_date !== 'string' ||
    typeof t.end_date !== 'string'
  ) {
    throw malformed('allocation');
  }
  return t;
}

/** Float's error answers as problem details; the vendor message is kept, nothing of the request. */
export function mapFloatError(res: PlatformResponse): ProblemError {
  const body = res.body;
  const extensions = { platform: PLATFORM, upstreamStatus: res.status };
  if (res.status === 422 && Array.isArray(body)) {
    const errors = (body as FloatValidationErrors)
      .filter((e) => isObject(e) && typeof e.field === 'string')
      .map((e) => ({ pointer: `/${e.field}`, detail: String(e.message) }));
    return new ProblemError('unprocessable-content', {
      detail: `The scheduling platform refused the change: ${errors.map((e) => e.detail).join(' ') || 'invalid data'}`,
      errors,
      extensions,
    });
  }
  const message = isObject(body) && typeof body.message === 'string' ? body.message : undefined;
  if (res.status === 404) return new ProblemError('not-found', { detail: message ?? 'Not found on the scheduling platform.', extensions });
  if (res.status === 409) return new ProblemError('conflict', { detail: message ?? 'Conflict on the scheduling platform.', extensions });
  return new ProblemError('upstream-error', {
    detail: `The scheduling platform answered ${res.status}${message ? `: ${message}` : ''}.`,
    extensions,
  });
}

function header(res: PlatformResponse, name: string, fallback: number): number {
  const n = Number(res.headers[name]);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export class SchedulingConnector {
  private readonly client: PlatformClient;
  private readonly budgets: RateBudgets;

  constructor(opts: SchedulingConnectorOptions) {
    const auth = { Authorization: `Bearer ${opts.apiToken}` };
    this.budgets = new RateBudgets(opts.rateLimits);
    this.client = new PlatformClient({
      platform: PLATFORM,
      baseUrl: opts.baseUrl,
      timeoutMs: opts.timeoutMs,
      maxAttempts: opts.maxAttempts,
      maxRetryAfterMs: opts.maxRetryAfterMs,
      maxResponseBytes: opts.maxResponseBytes,
      breaker: opts.breaker,
      backoff: opts.backoff,
      onCall: opts.onCall,
      pacer: this.budgets,
      logger: opts.logger,
      traceparent: opts.traceparent,
      // A static token: nothing to refresh, so a 401 is final.
      authorize: async () => ({ ...auth, 'User-Agent': opts.userAgent ?? DEFAULT_USER_AGENT }),
      mapError: mapFloatError,
    });
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** What is left of each budget in the current window (metrics, platform checks). */
  rateBudget(): Record<RequestKind, BudgetSnapshot> {
    return this.budgets.snapshot();
  }

  private async list<T>(
    path: string,
    check: (b: unknown) => T,
    page: number,
    perPage: number,
    query: Record<string, string | number | undefined> = {},
  ): Promise<FloatPage<T>> {
    const res = await this.client.request<unknown>({
      method: 'GET',
      path,
      query: { ...query, page, 'per-page': Math.min(perPage, MAX_PER_PAGE) },
    });
    if (!Array.isArray(res.body)) throw malformed('list');
    const items = res.body.map(check);
    return {
      items,
      page: header(res, 'x-pagination-current-page', page),
      pageCount: header(res, 'x-pagination-page-count', page),
      totalCount: header(res, 'x-pagination-total-count', items.length),
    };
  }

  private async all<T>(fetchPage: (page: number) => Promise<FloatPage<T>>): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const p = await fetchPage(page);
      out.push(...p.items);
      if (page >= p.pageCount || p.items.length === 0) return out;
    }
  }

  private async getOne<T>(path: string, check: (b: unknown) => T): Promise<T | undefined> {
    const res = await this.client.request<unknown>({ method: 'GET', path, acceptStatuses: [404] });
    return res.status === 404 ? undefined : check(res.body);
  }

  // --- people ---
  listPeople(page = 1, perPage = 50, filter: { active?: 0 | 1; modifiedSince?: string } = {}): Promise<FloatPage<FloatPerson>> {
    return this.list('/v3/people', expectPerson, page, perPage, { active: filter.active, modified_since: filter.modifiedSince });
  }
  allPeople(filter: { active?: 0 | 1 } = {}): Promise<FloatPerson[]> {
    return this.all((page) => this.listPeople(page, MAX_PER_PAGE, filter));
  }
  getPerson(id: number): Promise<FloatPerson | undefined> {
    return this.getOne(`/v3/people/${id}`, expectPerson);
  }
  async createPerson(input: FloatPersonInput): Promise<FloatPerson> {
    return expectPerson((await this.client.request<unknown>({ method: 'POST', path: '/v3/people', body: input })).body);
  }
  async updatePerson(id: number, patch: Partial<FloatPersonInput>): Promise<FloatPerson> {
    // Setting the same fields again gives the same person: safe to retry.
    return expectPerson(
      (await this.client.request<unknown>({ method: 'PATCH', path: `/v3/people/${id}`, body: patch, retryable: true })).body,
    );
  }

  // --- projects ---
  listProjects(page = 1, perPage = 50, filter: { modifiedSince?: string } = {}): Promise<FloatPage<FloatProject>> {
    return this.list('/v3/projects', expectProject, page, perPage, { modified_since: filter.modifiedSince });
  }
  getProject(id: number): Promise<FloatProject | undefined> {
    return this.getOne(`/v3/projects/${id}`, expectProject);
  }
  async createProject(input: FloatProjectInput): Promise<FloatProject> {
    return expectProject((await this.client.request<unknown>({ method: 'POST', path: '/v3/projects', body: input })).body);
  }
  async updateProject(id: number, patch: Partial<FloatProjectInput>): Promise<FloatProject> {
    return expectProject(
      (await this.client.request<unknown>({ method: 'PATCH', path: `/v3/projects/${id}`, body: patch, retryable: true })).body,
    );
  }

  // --- allocations ("tasks") ---
  listTasks(page = 1, perPage = 50, filter: TaskFilter = {}): Promise<FloatPage<FloatTask>> {
    return this.list('/v3/tasks', expectTask, page, perPage, {
      people_id: filter.peopleId,
      project_id: filter.projectId,
      start_date: filter.startDate,
      end_date: filter.endDate,
      modified_since: filter.modifiedSince,
    });
  }
  /** Every allocation matching the filter, over all pages. */
  allTasks(filter: TaskFilter = {}): Promise<FloatTask[]> {
    return this.all((page) => this.listTasks(page, MAX_PER_PAGE, filter));
  }
  getTask(id: number): Promise<FloatTask | undefined> {
    return this.getOne(`/v3/tasks/${id}`, expectTask);
  }
  async createTask(input: FloatTaskInput): Promise<FloatTask> {
    return expectTask((await this.client.request<unknown>({ method: 'POST', path: '/v3/tasks', body: input })).body);
  }
  async updateTask(id: number, patch: Partial<FloatTaskInput>): Promise<FloatTask> {
    return expectTask(
      (await this.client.request<unknown>({ method: 'PATCH', path: `/v3/tasks/${id}`, body: patch, retryable: true })).body,
    );
  }
  /** Deletes an allocation; one already gone counts as deleted (so a retry is harmless). */
  async deleteTask(id: number): Promise<void> {
    await this.client.request({ method: 'DELETE', path: `/v3/tasks/${id}`, acceptStatuses: [404] });
  }

  /** One read-only GET with the connector's credentials and the answer's headers, for `npm run check:platforms`. */
  probe(path: `/v3/${string}`, query: Record<string, string | number> = {}): Promise<ProbeAnswer> {
    return probeRead(this.client, path, query);
  }
}
