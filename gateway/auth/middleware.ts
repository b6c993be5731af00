// Authentication step of the pipeline: every route except the public ones needs a valid
// bearer token in the Authorization header. A token in the query string is refused
// without being read: URLs end up in logs, proxies and browser history.
import type { RequestHandler } from 'express';
import type { TokenVerifier } from './verifier.js';
import { insufficientScope, invalidRequest, missingToken } from './errors.js';

/** Routes anyone may call: published specs and docs, health, problem types, the dev JWKS. */
const PUBLIC_PATHS =
  /^\/(?:specs|docs|problems)(?:\/.*)?$|^\/(?:healthz|readyz|operations|operations\/assets\/console\.(?:js|css)|\.well-known\/jwks\.json)$/;

export function isPublicPath(path: string): boolean {
  return PUBLIC_PATHS.test(path);
}

const TOKEN_QUERY_PARAM = /(?:^|[?&])access_token=/i;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/;

export function authenticate(verifier: TokenVerifier): RequestHandler {
  return (req, _res, next) => {
    const queryStart = req.originalUrl.indexOf('?');
    if (queryStart >= 0 && TOKEN_QUERY_PARAM.test(req.originalUrl.slice(queryStart))) {
      throw invalidRequest('tokens are accepted only in the Authorization header, never in the query string');
    }
    if (isPublicPath(req.path)) return next();
    const header = req.headers.authorization;
    if (!header) throw missingToken();
    const m = BEARER.exec(header);
    if (!m) throw invalidRequest('the Authorization header must be "Bearer <token>"');
    const verified = verifier.verify(m[1]);
    if (!(verified instanceof Promise)) {
      req.auth = verified;
      return next();
    }
    return verified.then((auth) => {
      req.auth = auth;
      next();
    });
  };
}

/** For gateway routes outside any contract (e.g. /metrics): all the named scopes are needed. */
export function requireScopes(...required: string[]): RequestHandler {
  return (req, _res, next) => {
    const scopes = req.auth?.scopes;
    if (!scopes) throw missingToken();
    if (!required.every((s) => scopes.has(s))) throw insufficientScope(required);
    next();
  };
}
