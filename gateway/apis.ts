// The API modules the gateway mounts, one line per API and major version, each handed exactly
// the layer it may call. Each needs its contract at openapi/{layer}/{api}.v{major}.yaml;
// contracts without a module answer 501.
import type { Router } from 'express';
import type { ApiModule, Layer } from '../core/api-module.js';
import { crmExperienceV1Module, crmExperienceV2Module } from '../experience-apis/crm/module.js';
import { operationsModule } from '../experience-apis/operations/module.js';
import { portalModule } from '../experience-apis/portal/module.js';
import { assignmentToForecastModule } from '../process-apis/assignment-to-forecast/module.js';
import { billingStatusToCrmModule } from '../process-apis/billing-status-to-crm/module.js';
import { opportunityToProjectModule } from '../process-apis/opportunity-to-project/module.js';
import { timeToBillingModule } from '../process-apis/time-to-billing/module.js';
import { crmSystemModule } from '../system-apis/crm/module.js';
import { erpSystemModule } from '../system-apis/erp/module.js';
import { schedulingSystemModule } from '../system-apis/scheduling/module.js';
import { timeSystemModule } from '../system-apis/time/module.js';
import type { Layers } from './compose.js';

/** Any module, whatever it calls (for naming modules, not for building them). */
export type AnyApiModule = ApiModule<never>;

/** A module bound to what it calls: the gateway only has to build its router. */
export interface MountedApi {
  layer: Layer;
  api: string;
  major: number;
  module: AnyApiModule;
  routes(): Router;
}

export function withCalls<Calls>(module: ApiModule<Calls>, calls: Calls): MountedApi {
  return { layer: module.layer, api: module.api, major: module.major, module, routes: () => module.routes(calls) };
}

/** Every module of the layer, wired: system modules get the infrastructure and their system API, process modules their journey, experience modules process APIs. */
export function wireApis({ infra, systemApis, processApis, shape }: Layers): MountedApi[] {
  return [
    withCalls(crmSystemModule, { infra, crm: systemApis.crm }),
    withCalls(erpSystemModule, { infra, erp: systemApis.erp }),
    withCalls(schedulingSystemModule, { infra, scheduling: systemApis.scheduling }),
    withCalls(timeSystemModule, { infra, time: systemApis.time }),
    withCalls(opportunityToProjectModule, { infra, opportunityToProject: processApis.opportunityToProject }),
    withCalls(billingStatusToCrmModule, { infra, billingStatusToCrm: processApis.billingStatusToCrm }),
    withCalls(timeToBillingModule, { infra, timeToBilling: processApis.timeToBilling }),
    withCalls(assignmentToForecastModule, { infra, assignmentToForecast: processApis.assignmentToForecast }),
    withCalls(crmExperienceV1Module, { infra, processApis }),
    withCalls(crmExperienceV2Module, { infra, processApis }),
    withCalls(portalModule, { clientBilling: processApis.clientBilling }),
    withCalls(operationsModule, {
      infra,
      shape,
      timeToBilling: processApis.timeToBilling,
      reconciliation: processApis.reconciliation,
      businessFigures: processApis.businessFigures,
      liveStreams: systemApis.crm.changeStream ? [systemApis.crm.changeStream] : [],
    }),
  ];
}

/**
 * The modules to mount: all of them, or only those named (tests mount a few). A named module
 * that is not one of the layer's own (a test fixture) calls nothing.
 */
export function selectApis(layers: Layers, only?: readonly AnyApiModule[]): MountedApi[] {
  const wired = wireApis(layers);
  if (!only) return wired;
  return only.map((module) => wired.find((m) => m.module === module) ?? withCalls(module as ApiModule<void>, undefined));
}
