// OAuth 2.0 client-credentials token endpoint and the Bearer check on record and query
// calls. NetSuite's machine-to-machine flow signs a JWT client assertion with a
// certificate; the sandbox accepts the client id and secret instead (Basic header or
// form fields), which is what the layer's token client sends. Tokens live 60 minutes.
import express, { type Request, type RequestHandler, type Router } from 'express';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sendNsError } from '../errors.js';
import type { ErpState } from '../state.js';

const TOKEN_TTL_SECONDS = 3600;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function clientCredentials(req: Request): { id?: string; secret?: string } {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  return {
    id: typeof body.client_id === 'string' ? body.client_id : undefined,
    secret: typeof body.client_secret === 'string' ? body.client_secret : undefined,
  };
}

export function tokenRoutes(router: Router, state: () => ErpState): void {
  router.post('/services/rest/auth/oauth2/v1/token', express.urlencoded({ extended: false, limit: '16kb' }), (req, res) => {
    res.set('Cache-Control', 'no-store');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== 'client_credentials') {
      res.status(400).json({ error: 'unsupported_grant_type' });
      return;
    }
    const { id, secret } = clientCredentials(req);
    const expected = id ? state().oauthClients.get(id) : undefined;
    if (!id || !secret || expected === undefined || !safeEqual(secret, expected)) {
      res.status(401).set('WWW-Authenticate', 'Basic realm="token"').json({ error: 'invalid_client' });
      return;
    }
    const token = `nsat_${randomBytes(24).toString('base64url')}`;
    state().tokens.set(token, Date.now() + TOKEN_TTL_SECONDS * 1000);
    res.json({ access_token: token, token_type: 'bearer', expires_in: TOKEN_TTL_SECONDS });
  });
}

/** Rejects record and query calls without a live Bearer token, in NetSuite's 401 shape. */
export function requireBearer(state: () => ErpState): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const expiry = token ? state().tokens.get(token) : undefined;
    if (!expiry || expiry < Date.now()) {
      if (expiry) state().tokens.delete(token);
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      sendNsError(
        res,
        401,
        'INVALID_LOGIN',
        'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
      );
      return;
    }
    next();
  };
}
