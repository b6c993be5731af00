// Client portal API v1: a client's own projects, invoices, payments and approved hours.
// Needs `services.clientBilling` (process-apis/time-to-billing createClientBillingView).
export { portalModule } from './module.js';
export { portalRoutes } from './routes.js';
