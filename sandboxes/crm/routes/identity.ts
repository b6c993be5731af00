// The identity URL the token answer names in `id` (`/id/{orgId}/{userId}`): who the session
// runs as and the org's endpoints. Token in the Authorization header or `oauth_token`; errors
// are the documented plain-text codes (Missing_OAuth_Token, Bad_OAuth_Token, Wrong_Org, Bad_Id).
import type { Response, Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import type { CrmState } from '../state.js';
import { NEWEST_VERSION, OLDEST_VERSION } from './guard.js';

export function identityUrl(ctx: SandboxContext<CrmState>): string {
  const state = ctx.state();
  return `${ctx.baseUrl()}/id/${state.orgId}/${state.integrationUserId}`;
}

/** The integration user a client-credentials session runs as (the connected app's "Run As" user). */
const INTEGRATION_USER = {
  username: 'integration@sandbox-crm.example',
  display_name: 'Integration User',
  first_name: 'Integration',
  last_name: 'User',
  email: 'integration@sandbox-crm.example',
};

export function identityRoutes(router: Router, ctx: SandboxContext<CrmState>): void {
  router.get('/id/:orgId/:userId', (req, res) => {
    const refuse = (status: number, code: string) => void res.status(status).type('text/plain').send(code);
    res.set('Cache-Control', 'no-store');
    const state = ctx.state();
    const fromQuery = typeof req.query.oauth_token === 'string' ? req.query.oauth_token : undefined;
    const token = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? fromQuery;
    if (!token) return refuse(403, 'Missing_OAuth_Token');
    const session = state.tokens.get(token);
    if (!session || session.expiresAt <= Date.now()) return refuse(403, 'Bad_OAuth_Token');
    if (req.params.orgId.slice(0, 15) !== state.orgId.slice(0, 15)) return refuse(403, 'Wrong_Org');
    if (req.params.userId.slice(0, 15) !== state.integrationUserId.slice(0, 15)) return refuse(404, 'Bad_Id');
    const format = typeof req.query.format === 'string' ? req.query.format : 'json';
    // Only JSON is served; the XML and form-encoded formats Salesforce also offers are not.
    if (format !== 'json') return refuse(406, 'Invalid_Format');
    const requested = typeof req.query.version === 'string' ? req.query.version : undefined;
    const m = requested === 'latest' ? [String(NEWEST_VERSION), String(NEWEST_VERSION)] : /^(\d+)\.0$/.exec(requested ?? '');
    if (requested !== undefined && (!m || Number(m[1]) < OLDEST_VERSION || Number(m[1]) > NEWEST_VERSION)) {
      return refuse(406, 'Invalid_Version');
    }
    // Without ?version= the URLs carry the literal {version}, as Salesforce's do.
    const version = m ? `${m[1]}.0` : '{version}';
    sendIdentity(res, ctx, version);
  });
}

function sendIdentity(res: Response, ctx: SandboxContext<CrmState>, version: string): void {
  const state = ctx.state();
  const base = ctx.baseUrl();
  const data = `${base}/services/data/v${version}`;
  res.json({
    id: identityUrl(ctx),
    asserted_user: true,
    user_id: state.integrationUserId,
    organization_id: state.orgId,
    ...INTEGRATION_USER,
    nick_name: 'integration',
    email_verified: true,
    timezone: 'GMT',
    active: true,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: 0,
    is_app_installed: true,
    urls: {
      rest: `${data}/`,
      sobjects: `${data}/sobjects/`,
      query: `${data}/query/`,
      custom_domain: base,
    },
    last_modified_date: '2026-01-01T00:00:00.000+0000',
  });
}
