// What every /services/data/vNN.0 request passes first: a known API version, a valid
// session (Bearer token from the token endpoint) and the org's API request allowance,
// reported in `Sforce-Limit-Info` on every answer.
import type { NextFunction, Request, Response, Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import { sendError } from '../errors.js';
import type { CrmState } from '../state.js';

export const OLDEST_VERSION = 20;
export const NEWEST_VERSION = 62;

export interface CallerLocals {
  apiVersion: string;
  versionNumber: number;
  clientId: string;
}

export function caller(res: Response): CallerLocals {
  return res.locals as CallerLocals;
}

export function guardRoutes(router: Router, ctx: SandboxContext<CrmState>): void {
  router.get(['/services/data', '/services/data/'], (_req, res) => {
    const versions = [];
    for (let v = OLDEST_VERSION; v <= NEWEST_VERSION; v++)
      versions.push({ label: `API ${v}.0`, url: `/services/data/v${v}.0`, version: `${v}.0` });
    res.json(versions);
  });

  router.use('/services/data/:version', (req: Request, res: Response, next: NextFunction) => {
    const m = /^v(\d+)\.0$/.exec(String(req.params.version));
    const versionNumber = m ? Number(m[1]) : NaN;
    if (!(versionNumber >= OLDEST_VERSION && versionNumber <= NEWEST_VERSION)) {
      return sendError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    const state = ctx.state();
    const token = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const session = token ? state.tokens.get(token) : undefined;
    if (!token || !session || session.expiresAt <= Date.now()) {
      if (token && session) state.tokens.delete(token);
      res.set('WWW-Authenticate', 'Token');
      return sendError(res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    }
    const usage = state.apiUsage;
    if (usage.used >= usage.max) {
      res.set('Sforce-Limit-Info', `api-usage=${usage.used}/${usage.max}`);
      return sendError(res, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    usage.used++;
    res.set('Sforce-Limit-Info', `api-usage=${usage.used}/${usage.max}`);
    Object.assign(res.locals, { apiVersion: `v${versionNumber}.0`, versionNumber, clientId: session.clientId } satisfies CallerLocals);
    next();
  });
}
