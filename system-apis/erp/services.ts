// Adds the ERP system API to the one typed services object (core/services.ts).
import type { ErpSystemApi } from './service.js';

declare module '../../core/services.js' {
  interface Services {
    erpSystem: ErpSystemApi;
  }
}

export {};
