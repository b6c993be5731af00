// Adds the scheduling system API to the one typed services object (core/services.ts).
import type { SchedulingSystemApi } from './service.js';

declare module '../../core/services.js' {
  interface Services {
    schedulingSystem: SchedulingSystemApi;
  }
}

export {};
