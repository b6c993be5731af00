// What every Float-shaped route shares: bearer-token auth, the per-token request budget
// with X-RateLimit-* headers, page/per-page paging headers, and Float's error bodies.
import type { NextFunction, Request, Response } from 'express';
import type { FloatError, FloatValidationErrors } from '../vendor-types.js';
import type { SchedulingState } from '../state.js';

export const RATE_LIMIT = { requests: 200, windowSeconds: 60 };
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

export function authAndRateLimit(state: () => SchedulingState, limit = RATE_LIMIT) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const s = state();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match || match[1] !== s.apiToken) {
      res.set('WWW-Authenticate', 'Bearer realm="api"');
      return sendError(res, 401, 'Your request was made with invalid credentials.');
    }
    const now = Date.now();
    const windowMs = limit.windowSeconds * 1000;
    if (now - s.rateWindow.startedAt >= windowMs) s.rateWindow = { startedAt: now, used: 0 };
    const reset = Math.ceil((s.rateWindow.startedAt + windowMs) / 1000);
    res.set('X-RateLimit-Limit', String(limit.requests));
    res.set('X-RateLimit-Reset', String(reset));
    if (s.rateWindow.used >= limit.requests) {
      res.set('X-RateLimit-Remaining', '0');
      res.set('Retry-After', String(Math.max(1, reset - Math.floor(now / 1000))));
      return sendError(res, 429, 'Rate limit exceeded.');
    }
    s.rateWindow.used++;
    res.set('X-RateLimit-Remaining', String(limit.requests - s.rateWindow.used));
    next();
  };
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
