// Adds the CRM system API to the one typed services object (core/services.ts).
import type { CrmSystemApi } from './service.js';

declare module '../../core/services.js' {
  interface Services {
    crmSystem: CrmSystemApi;
  }
}

export {};
