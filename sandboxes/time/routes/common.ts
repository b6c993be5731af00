// What every Harvest-shaped route shares: the three required headers (Authorization,
// Harvest-Account-Id, User-Agent), the 100-requests-per-15-seconds limit, Harvest's
// error bodies and its two paging envelopes (by page number, by cursor), each with links.
import type { NextFunction, Request, Response } from 'express';
import type { HarvestPage } from '../vendor-types.js';
import type { TimeState } from '../state.js';

export interface TimeRateLimit {
  requests: number;
  windowSeconds: number;
}
/** Harvest's documented general limit. */
export const HARVEST_RATE_LIMIT: TimeRateLimit = { requests: 100, windowSeconds: 15 };

export function statusError(res: Response, status: number, error: string): void {
  res.status(status).json({ status, error });
}
export function unprocessable(res: Response, message: string): void {
  res.status(422).json({ message });
}

export function harvestGuard(state: () => TimeState, limit: TimeRateLimit) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const s = state();
    if (!req.get('user-agent')) {
      return statusError(res, 400, 'A User-Agent header naming the application and a contact is required');
    }
    const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
    if (!match || match[1] !== s.accessToken) {
      res.set('WWW-Authenticate', 'Bearer realm="Harvest", error="invalid_token"');
      res.status(401).json({
        error: 'invalid_token',
        error_description: 'The access token provided is expired, revoked, malformed or invalid for other reasons.',
      });
      return;
    }
    const account = req.get('harvest-account-id');
    if (account !== s.accountId) {
      res.status(403).json({
        error: 'forbidden',
        error_description: account
          ? 'The access token has no access to this Harvest account.'
          : 'The Harvest-Account-Id header is required.',
      });
      return;
    }
    // Sliding window: the request is refused while `requests` others fall within the window.
    const now = Date.now();
    const windowMs = limit.windowSeconds * 1000;
    const log = s.requestLog.get(match[1]) ?? [];
    while (log.length > 0 && now - log[0] >= windowMs) log.shift();
    if (log.length >= limit.requests) {
      const retryAfter = Math.max(1, Math.ceil((log[0] + windowMs - now) / 1000));
      res.set('Retry-After', String(retryAfter));
      return statusError(res, 429, 'Too Many Requests');
    }
    log.push(now);
    s.requestLog.set(match[1], log);
    next();
  };
}

export interface PageParams {
  page: number;
  perPage: number;
}

/** page (1-based) and per_page (1..2000, default 2000), as Harvest takes them. */
export function pageParams(req: Request, res: Response): PageParams | undefined {
  const page = req.query.page === undefined ? 1 : Number(req.query.page);
  const perPage = req.query.per_page === undefined ? 2000 : Number(req.query.per_page);
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 1 || perPage > 2000) {
    unprocessable(res, 'page must be at least 1 and per_page between 1 and 2000');
    return undefined;
  }
  return { page, perPage };
}

/** A list URL on the sandbox: the request's filters, with the paging parameters replaced. */
function listLink(req: Request, baseUrl: string, paging: Record<string, string>): string {
  const url = new URL(`${baseUrl}${req.path}`);
  for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string' && k !== 'page' && k !== 'cursor') url.searchParams.set(k, v);
  for (const [k, v] of Object.entries(paging)) url.searchParams.set(k, v);
  return url.toString();
}

/** The envelope of a list paged by number (time entries, expenses): every link names a page. */
export function envelope(req: Request, baseUrl: string, total: number, { page, perPage }: PageParams): HarvestPage {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const link = (p: number) => listLink(req, baseUrl, { page: String(p), per_page: String(perPage) });
  return {
    per_page: perPage,
    total_pages: totalPages,
    total_entries: total,
    next_page: page < totalPages ? page + 1 : null,
    previous_page: page > 1 ? Math.min(page - 1, totalPages) : null,
    page,
    links: {
      first: link(1),
      next: page < totalPages ? link(page + 1) : null,
      previous: page > 1 ? link(Math.min(page - 1, totalPages)) : null,
      last: link(totalPages),
    },
  };
}

/** Where a page of a cursor-paged list starts, and its envelope. */
export interface CursorPage {
  start: number;
  perPage: number;
  envelope: HarvestPage;
}

/**
 * A list paged by cursor, as Harvest pages clients and projects: `links.next` carries
 * `cursor` (base64url JSON `{"after":{"id":…}}`, the last id served); `page`, `next_page` and
 * `previous_page` are null except on the first and last pages. `page` still works; a cursor
 * wins over it. `idAt(i)` is the id of the i-th record in listing order.
 */
export function cursorPage(
  req: Request,
  res: Response,
  baseUrl: string,
  total: number,
  idAt: (i: number) => number,
): CursorPage | undefined {
  const paging = pageParams(req, res);
  if (!paging) return undefined;
  const { perPage } = paging;
  let start = (paging.page - 1) * perPage;
  const byCursor = typeof req.query.cursor === 'string';
  if (byCursor) {
    let after: unknown;
    try {
      after = (JSON.parse(Buffer.from(req.query.cursor as string, 'base64url').toString('utf8')) as { after?: { id?: unknown } }).after?.id;
    } catch {
      after = undefined;
    }
    let at = -1;
    for (let i = 0; i < total && typeof after === 'number'; i++) if (idAt(i) === after) at = i;
    if (at < 0) {
      unprocessable(res, 'cursor is not valid');
      return undefined;
    }
    start = at + 1;
  }
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const end = Math.min(start + perPage, total);
  const first = start === 0;
  const last = end >= total;
  const pageLink = (p: number) => listLink(req, baseUrl, { page: String(p), per_page: String(perPage) });
  const cursor = Buffer.from(JSON.stringify({ after: { id: end > 0 ? idAt(end - 1) : 0 } }), 'utf8').toString('base64url');
  const numbered = first || last;
  const page = first ? 1 : last ? totalPages : null;
  return {
    start,
    perPage,
    envelope: {
      per_page: perPage,
      total_pages: totalPages,
      total_entries: total,
      next_page: numbered && !last ? 2 : null,
      previous_page: numbered && !first ? totalPages - 1 : null,
      page,
      links: {
        first: pageLink(1),
        next: last ? null : listLink(req, baseUrl, { cursor, per_page: String(perPage) }),
        previous: first || byCursor ? null : pageLink(paging.page - 1),
        last: pageLink(totalPages),
      },
    },
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const isDate = (v: unknown): v is string => typeof v === 'string' && DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));
export const body = (req: Request): Record<string, unknown> =>
  req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};

/** A boolean query parameter ("true"/"false"); undefined when absent, null when invalid. */
export function boolParam(v: unknown): boolean | undefined | null {
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return null;
}

export function intParam(v: unknown): number | undefined | null {
  if (v === undefined) return undefined;
  const n = Number(v);
  return typeof v === 'string' && Number.isSafeInteger(n) && n > 0 ? n : null;
}

export function instantParam(v: unknown): number | undefined | null {
  if (v === undefined) return undefined;
  const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isNaN(ms) ? null : ms;
}

/** Harvest prints instants to the second; filters compare the stored milliseconds. */
export const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
