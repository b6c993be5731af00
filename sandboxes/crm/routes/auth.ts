// OAuth 2.0 client-credentials token endpoint (`POST /services/oauth2/token`, form-encoded).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import type { CrmState } from '../state.js';
import { identityUrl } from './identity.js';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function basicCredentials(header: string | undefined): { id?: string; secret?: string } {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return {};
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return {};
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

export function authRoutes(router: Router, ctx: SandboxContext<CrmState>): void {
  router.post('/services/oauth2/token', express.urlencoded({ extended: false, limit: '16kb' }), (req, res) => {
    res.set('Cache-Control', 'no-store');
    const oauthError = (status: number, error: string, description: string) =>
      void res.status(status).json({ error, error_description: description });
    if (!req.is('application/x-www-form-urlencoded'))
      return oauthError(400, 'invalid_request', 'request must be application/x-www-form-urlencoded');
    const form = (req.body ?? {}) as Record<string, string | undefined>;
    if (form.grant_type !== 'client_credentials') {
      return oauthError(
        400,
        form.grant_type ? 'unsupported_grant_type' : 'invalid_request',
        form.grant_type ? 'grant type not supported' : 'grant type is missing',
      );
    }
    const basic = basicCredentials(req.get('authorization'));
    const clientId = basic.id ?? form.client_id;
    const clientSecret = basic.secret ?? form.client_secret;
    const state = ctx.state();
    const known = state.credentials.find((c) => c.clientId === clientId);
    if (!known || !clientSecret || !safeEqual(known.clientSecret, clientSecret)) {
      return oauthError(400, 'invalid_client', 'invalid client credentials');
    }
    const accessToken = `${state.orgId.slice(0, 15)}!${randomBytes(48).toString('base64url')}`;
    state.tokens.set(accessToken, { clientId: known.clientId, expiresAt: Date.now() + state.sessionSeconds * 1000 });
    const issuedAt = String(Date.now());
    const id = identityUrl(ctx);
    // As in Salesforce: HMAC-SHA256 of id + issued_at with the client secret, base64.
    const signature = createHmac('sha256', known.clientSecret)
      .update(id + issuedAt)
      .digest('base64');
    res.json({
      access_token: accessToken,
      signature,
      scope: 'api',
      instance_url: ctx.baseUrl(),
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    });
  });
}
