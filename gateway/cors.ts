// CORS for an allow-list of exact origins only (CORS_ORIGINS); an origin not on the list gets
// no CORS headers at all. The request's Origin is never reflected unless it is listed.
import type { RequestHandler } from 'express';

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Request-Id, traceparent';
const EXPOSED_HEADERS =
  'X-Request-Id, traceparent, RateLimit, RateLimit-Policy, Retry-After, Deprecation, Sunset, Link, Idempotent-Replayed, Location';

export function cors(origins: string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (allowed.size === 0) return next();
    res.append('Vary', 'Origin');
    if (!origin || !allowed.has(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      // A preflight carries no token; answer it before authentication.
      res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
