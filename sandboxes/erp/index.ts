// The ERP sandbox: a NetSuite REST web services stand-in (record API v1 for customers,
// jobs, project tasks (billing milestones), invoices, customer payments, subsidiaries,
// currencies and the rate-card custom record; SuiteQL; OAuth 2.0 client credentials with a JWT
// client assertion) on the shared sandbox kit, with its own admin routes under /_sandbox.
import type { SandboxDefinition } from '../kit/app.js';
import { nsErrorBody } from './errors.js';
import express from 'express';
import { erpAdminRoutes } from './routes/admin.js';
import { requireBearer, tokenRoutes } from './routes/auth.js';
import { queryRoutes } from './routes/query.js';
import { nsErrorHandler, recordRoutes } from './routes/records.js';
import { seedErp } from './seed.js';
import type { ErpState } from './state.js';

export type { ErpState } from './state.js';
export { SANDBOX_ERP_CERTIFICATE_ID, SANDBOX_ERP_CLIENT_ID } from './state.js';
export { TOKEN_PATH as SANDBOX_ERP_TOKEN_PATH } from './routes/auth.js';

const FAULT_CODES: Record<number, string> = {
  400: 'INVALID_CONTENT',
  401: 'INVALID_LOGIN',
  404: 'NONEXISTENT_ID',
  413: 'INVALID_CONTENT',
  429: 'CONCURRENCY_LIMIT_EXCEEDED',
  503: 'SERVICE_UNAVAILABLE',
};

export const erpSandbox: SandboxDefinition<ErpState> = {
  platform: 'erp',
  seed: (size, rng) => seedErp(size, rng),
  routes(router, ctx) {
    tokenRoutes(router, ctx);
    const rest = ['/services/rest/record', '/services/rest/query'];
    router.use(rest, requireBearer(ctx.state));
    // NetSuite reads a body sent without Content-Type as JSON (common clients send SuiteQL that way).
    router.use(rest, express.json({ limit: '10mb', type: (req) => !req.headers['content-type'] }));
    queryRoutes(router, ctx);
    recordRoutes(router, { state: ctx.state, baseUrl: ctx.baseUrl, events: ctx.webhooks });
    router.use(nsErrorHandler);
  },
  admin: (router, ctx) => erpAdminRoutes(router, ctx),
  faultBody: (status, message) => nsErrorBody(status, FAULT_CODES[status] ?? (status >= 500 ? 'UNEXPECTED_ERROR' : 'USER_ERROR'), message),
  bodyLimit: '10mb',
};
