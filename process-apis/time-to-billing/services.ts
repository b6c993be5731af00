// Adds time-to-billing to the one typed services object (core/services.ts).
import type { TimeToBillingApi } from './service.js';

declare module '../../core/services.js' {
  interface Services {
    timeToBilling: TimeToBillingApi;
  }
}

export {};
