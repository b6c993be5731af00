// Adds opportunity-to-project to the one typed services object (core/services.ts).
import type { OpportunityToProjectApi } from './service.js';

declare module '../../core/services.js' {
  interface Services {
    opportunityToProject: OpportunityToProjectApi;
  }
}

export {};
