// Adds assignment-to-forecast to the one typed services object (core/services.ts).
import type { AssignmentToForecastApi } from './service.js';

declare module '../../core/services.js' {
  interface Services {
    assignmentToForecast: AssignmentToForecastApi;
  }
}

export {};
