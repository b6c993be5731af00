// Client portal API v1: a client's own projects, invoices, payments and approved hours.
// Calls `processApis.clientBilling` (process-apis/time-to-billing createClientBillingView), wired in gateway/apis.ts.
export { portalModule } from './module.js';
export { portalRoutes } from './routes.js';
