// Adds billing-status-to-crm to the one typed services object (core/services.ts).
import type { BillingStatusToCrmApi } from './service.js';

declare module '../../core/services.js' {
  interface Services {
    billingStatusToCrm: BillingStatusToCrmApi;
  }
}

export {};
