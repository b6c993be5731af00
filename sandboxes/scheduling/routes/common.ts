// What every Float-shaped route shares: bearer-token auth, the per-company request budgets
// (reads and writes counted apart) with X-RateLimit-* headers, page/per-page paging headers,
// the modified_since filter, and Float's error bodies.
import type { NextFunction, Request, Response } from 'express';
import type { FloatError, FloatValidationErrors } from '../vendor-types.js';
import type { SchedulingState } from '../state.js';

/** Float's documented budgets: 200 GET and 100 other requests a minute per company. */
export const RATE_LIMIT: SchedulingRateLimit = { reads: 200, writes: 100, windowSeconds: 60 };

export interface SchedulingRateLimit {
  /** GET requests per window. */
  reads: number;
  /** Every other method per window. */
  writes: number;
  windowSeconds: number;
}
const NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function floatError(status: number, message: string): FloatError {
  return { name: NAMES[status] ?? 'Error', message, code: 0, status };
}

export function sendError(res: Response, status: number, message: string): void {
  res.status(status).json(floatError(status, message));
}

/** Float answers invalid fields with 422 and a list of {field, message}. */
export function sendValidation(res: Response, errors: FloatValidationErrors): void {
  res.status(422).json(errors);
}

export function authAndRateLimit(state: () => SchedulingState, limit: SchedulingRateLimit = RATE_LIMIT) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const s = state();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match || match[1] !== s.apiToken) {
      res.set('WWW-Authenticate', 'Bearer realm="api"');
      return sendError(res, 401, 'Your request was made with invalid credentials.');
    }
    // Reads and writes spend separate budgets; a spent write budget leaves reads passing.
    const kind = req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'write';
    const allowed = kind === 'read' ? limit.reads : limit.writes;
    const now = Date.now();
    const windowMs = limit.windowSeconds * 1000;
    let window = s.rateWindows[kind];
    if (now - window.startedAt >= windowMs) window = s.rateWindows[kind] = { startedAt: now, used: 0 };
    const reset = Math.ceil((window.startedAt + windowMs) / 1000);
    res.set('X-RateLimit-Limit', String(allowed));
    res.set('X-RateLimit-Reset', String(reset));
    if (window.used >= allowed) {
      res.set('X-RateLimit-Remaining', '0');
      res.set('Retry-After', String(Math.max(1, reset - Math.floor(now / 1000))));
      return sendError(res, 429, 'Rate limit exceeded.');
    }
    window.used++;
    res.set('X-RateLimit-Remaining', String(allowed - window.used));
    next();
  };
}

/** Float's answer to a create: 201 with the new record's URL in Location. */
export function sendCreated(req: Request, res: Response, path: string, record: unknown): void {
  res.location(`${req.protocol}://${req.get('host') ?? 'localhost'}${path}`);
  res.status(201).json(record);
}

/**
 * `modified_since`: keeps records modified at or after the given time. Float's timestamps are
 * "YYYY-MM-DD HH:MM:SS" in UTC; a plain date means its midnight. Undefined when absent, null
 * (after a 400) when malformed.
 */
export function modifiedSince(req: Request, res: Response): string | undefined | null {
  const raw = req.query.modified_since;
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' ? raw : '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && isDate(value)) return `${value} 00:00:00`;
  const stamp = value.replace('T', ' ');
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(stamp) && !Number.isNaN(Date.parse(`${stamp.replace(' ', 'T')}Z`))) return stamp;
  sendError(res, 400, 'Invalid modified_since parameter.');
  return null;
}

export interface PageParams {
  page: number;
  perPage: number;
}

/** Float's paging: `page` (1-based) and `per-page` (default 50, at most 200). */
export function pageParams(req: Request, res: Response): PageParams | undefined {
  const page = req.query.page === undefined ? 1 : Number(req.query.page);
  const perPage = req.query['per-page'] === undefined ? 50 : Number(req.query['per-page']);
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 1 || perPage > 200) {
    sendError(res, 400, 'Invalid page or per-page parameter.');
    return undefined;
  }
  return { page, perPage };
}

export function sendPage<T>(res: Response, items: readonly T[], { page, perPage }: PageParams): void {
  const pageCount = Math.max(1, Math.ceil(items.length / perPage));
  res.set('X-Pagination-Total-Count', String(items.length));
  res.set('X-Pagination-Page-Count', String(pageCount));
  res.set('X-Pagination-Current-Page', String(page));
  res.set('X-Pagination-Per-Page', String(perPage));
  res.json(items.slice((page - 1) * perPage, page * perPage));
}

export function idParam(req: Request, res: Response, name: string): number | undefined {
  const id = Number(req.params[name]);
  if (!Number.isSafeInteger(id) || id <= 0) {
    sendError(res, 404, 'Object not found.');
    return undefined;
  }
  return id;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const isDate = (v: unknown): v is string => typeof v === 'string' && DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));
export const isBit = (v: unknown): v is 0 | 1 => v === 0 || v === 1;
export const isDecimalString = (v: unknown): v is string => typeof v === 'string' && /^\d+(\.\d+)?$/.test(v);
export const body = (req: Request): Record<string, unknown> =>
  req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
