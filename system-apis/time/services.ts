// Adds the time system API to the one typed services object (core/services.ts).
import type { TimeSystemApi } from './service.js';

declare module '../../core/services.js' {
  interface Services {
    timeSystem: TimeSystemApi;
  }
}

export {};
