// The CRM sandbox: a Salesforce REST API stand-in (sObjects, sObject collections, describe,
// SOQL query, OAuth 2.0 client credentials and the identity URL, Change Data Capture through
// the Streaming API with replay) on the shared sandbox kit.
import type { SandboxDefinition } from '../kit/app.js';
import { crmAdminRoutes } from './admin.js';
import { crmFaultBody } from './errors.js';
import { authRoutes } from './routes/auth.js';
import { compositeRoutes } from './routes/composite.js';
import { describeRoutes } from './routes/describe.js';
import { guardRoutes } from './routes/guard.js';
import { identityRoutes } from './routes/identity.js';
import { queryRoutes } from './routes/query.js';
import { sobjectRoutes } from './routes/sobjects.js';
import { streamingRoutes } from './routes/streaming.js';
import { seedCrm } from './seed.js';
import type { CrmState } from './state.js';

export type { CrmState } from './state.js';
export { READY_TO_CLOSE_NAME } from './seed.js';

export const crmSandbox: SandboxDefinition<CrmState> = {
  platform: 'crm',
  seed: (size, rng) => seedCrm(size, rng),
  routes(router, ctx) {
    authRoutes(router, ctx);
    identityRoutes(router, ctx);
    streamingRoutes(router, ctx);
    guardRoutes(router, ctx);
    queryRoutes(router, ctx);
    compositeRoutes(router, ctx);
    // Before the record routes, which would read `describe` as a record id.
    describeRoutes(router, ctx);
    sobjectRoutes(router, ctx);
  },
  admin: crmAdminRoutes,
  faultBody: crmFaultBody,
  // Salesforce refuses REST request bodies over about 50 MB; 10 MB is plenty for a sandbox.
  bodyLimit: '10mb',
};
