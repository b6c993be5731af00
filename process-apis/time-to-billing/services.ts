// Adds time-to-billing to the one typed services object (core/services.ts).
import type { ClientBillingView } from './client-view.js';
import type { TimeToBillingApi } from './service.js';

declare module '../../core/services.js' {
  interface Services {
    timeToBilling: TimeToBillingApi;
    /** One client's projects, invoices, payments and approved hours, for experience APIs. */
    clientBilling: ClientBillingView;
  }
}

export {};
