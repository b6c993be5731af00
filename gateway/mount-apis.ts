// Mounts each versioned contract at its base path: request validation by
// express-openapi-validator (response validation too in development and tests), the scope
// check from the operation's `security`, then the API module's routes. A contract whose
// module has not been written yet answers its documented operations with 501.
// A contract's validator is built on its first request, not at start (see contract-validators.ts).
import { Router, type Express, type RequestHandler } from 'express';
import type { ApiContract } from '../core/contracts/types.js';
import { ProblemError } from '../core/problems.js';
import type { MountedApi } from './apis.js';
import { checkOperationScopes } from './auth/scopes.js';
import type { UsageRecorder } from '../core/usage/index.js';
import { contractValidator, type ContractValidators } from './contract-validators.js';
import { recordUsage } from './usage.js';
type SecurityRequirement = Record<string, string[]>;

function moduleKey(m: { layer: string; api: string; major: number }): string {
  return `${m.layer}/${m.api}/v${m.major}`;
}

/** Checks that every module has a contract; throws at start-up otherwise. */
export function matchModules(catalogue: ApiContract[], modules: MountedApi[]): Map<string, MountedApi> {
  const contracts = new Set(catalogue.map(moduleKey));
  const byKey = new Map<string, MountedApi>();
  for (const module of modules) {
    const key = moduleKey(module);
    if (!contracts.has(key)) {
      throw new Error(`API module ${key} has no contract: expected openapi/${module.layer}/${module.api}.v${module.major}.yaml`);
    }
    if (byKey.has(key)) throw new Error(`API module ${key} is listed twice`);
    byKey.set(key, module);
  }
  return byKey;
}

export interface MountOptions {
  validateResponses: boolean;
  /** Where each contract's lazily built validator is registered. */
  validators: ContractValidators;
  /** Counts each matched call per consumer and operation; absent, nothing is recorded. */
  usage?: UsageRecorder;
}

function validation(contract: ApiContract, options: MountOptions): RequestHandler[] {
  return [
    options.validators.lazy(() => contractValidator(contract, options.validateResponses)),
    ...recordUsage(contract, options.usage),
    checkOperationScopes(contract.bundled.security as SecurityRequirement[] | undefined),
  ];
}

/**
 * The gateway's own contract (openapi/gateway/gateway.v1.yaml) validates the gateway's own
 * routes, mounted before them: its base path is `/`, so it is limited to the paths it documents.
 */
export function mountGatewayValidation(app: Express, catalogue: ApiContract[], options: MountOptions): void {
  const contract = catalogue.find((c) => c.layer === 'gateway');
  if (!contract) return;
  const prefixes = [...new Set(Object.keys((contract.bundled.paths ?? {}) as object).map((p) => `/${p.split('/')[1]}`))];
  app.use(prefixes, ...validation(contract, options));
}

export function mountApis(app: Express, catalogue: ApiContract[], modules: MountedApi[], options: MountOptions): void {
  const byKey = matchModules(catalogue, modules);
  for (const contract of catalogue) {
    if (contract.layer === 'gateway' || contract.lifecycle === 'retired') continue;
    const module = byKey.get(moduleKey(contract));
    const router = Router();
    router.use(...validation(contract, options));
    if (module) {
      router.use(module.routes());
    } else {
      router.use((req) => {
        throw new ProblemError('not-implemented', {
          detail: `${req.method} ${contract.basePath}${req.path} is in the contract but not implemented yet.`,
        });
      });
    }
    app.use(contract.basePath, router);
  }
}
