// Each contract's request validator (express-openapi-validator), built when the contract gets its
// first request rather than at start: preparing a contract's schemas costs tens of milliseconds,
// all thirteen most of a second of every start, and most starts (tests, a replica joining) need
// a few. A request that arrives first waits for its contract's validator, never goes unchecked.
import { createRequire } from 'node:module';
import type { RequestHandler } from 'express';
import type * as OpenApiValidatorModule from 'express-openapi-validator';
import type { ApiContract } from '../core/contracts/types.js';
import { chain } from './chain.js';
import { deferContractSchemaCheck, memoiseValidatorRoutes, resolveSchemasWithoutCompiling } from './validator-route-cache.js';

type ValidatorOptions = Parameters<typeof OpenApiValidatorModule.middleware>[0];

// What the validator's middleware() does, in its two steps, so that the caller learns when the
// contract is prepared: the loader reads the routes, then installMiddleware prepares the schemas
// in its own callback on the loaded spec.
const requireFromValidator = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
const { OpenApiValidator } = requireFromValidator('./openapi.validator.js') as {
  OpenApiValidator: new (options: ValidatorOptions) => { installMiddleware(spec: Promise<unknown>): RequestHandler[] };
};
const { OpenApiSpecLoader } = requireFromValidator('./framework/openapi.spec.loader.js') as {
  OpenApiSpecLoader: new (options: { apiDoc: unknown; validateApiSpec: boolean; $refParser: { mode: 'bundle' } }) => {
    load(): Promise<unknown>;
  };
};

export interface PreparedValidator {
  handlers: RequestHandler[];
  /** Settles once the contract's schemas are prepared (or failed to be: the handlers then answer the error). */
  prepared: Promise<void>;
}

/** The request (and, when asked, response) validator of one contract, mounted at its base path. */
export function contractValidator(contract: ApiContract, validateResponses: boolean): PreparedValidator {
  memoiseValidatorRoutes();
  deferContractSchemaCheck();
  resolveSchemasWithoutCompiling();
  const options: ValidatorOptions = {
    // The validator routes by the spec's server URL; pin it to the mount point whatever the file says.
    apiSpec: { ...contract.bundled, servers: [{ url: contract.basePath }] } as unknown as ValidatorOptions['apiSpec'],
    validateApiSpec: false, // contracts are linted by spectral before they get here
    // allErrors: a caller learns every bad field at once; the body limit bounds the cost.
    // coerceTypes false: a JSON body is taken as typed ({"amountMinor": true} is refused, not
    // read as 1). Path, query and header values are strings on the wire; the validator still
    // coerces those to the type their parameter's schema declares.
    validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false, allErrors: true },
    validateResponses: validateResponses ? { removeAdditional: false } : false,
    validateSecurity: false, // authentication ran earlier; scopes are checked just after
    ignoreUndocumented: false,
    validateFormats: true,
    $refParser: { mode: 'bundle' },
  };
  const validator = new OpenApiValidator(options);
  // A copy: the validator rewrites the document it prepares, and the catalogue's is also published.
  const spec = new OpenApiSpecLoader({
    apiDoc: structuredClone(options.apiSpec),
    validateApiSpec: false,
    $refParser: { mode: 'bundle' },
  }).load();
  const handlers = validator.installMiddleware(spec);
  // Registered after installMiddleware's own callback on `spec`, so it runs once that has prepared the schemas.
  const prepared = spec.then(
    () => undefined,
    () => undefined,
  );
  return { handlers, prepared };
}

/** The contracts' lazily built validators, and a way to build the ones not yet needed. */
export class ContractValidators {
  /** For each validator no request has needed yet: build it now, resolving once it is prepared. */
  private readonly unbuilt = new Set<() => Promise<void>>();

  /** A middleware that builds the validator on first use and runs it from then on. */
  lazy(build: () => PreparedValidator): RequestHandler {
    let built: { handler: RequestHandler; prepared: Promise<void> } | undefined;
    const ensure = () => {
      if (!built) {
        const { handlers, prepared } = build();
        built = { handler: chain(handlers), prepared };
        this.unbuilt.delete(buildNow);
      }
      return built;
    };
    const buildNow = () => ensure().prepared;
    this.unbuilt.add(buildNow);
    return (req, res, next) => ensure().handler(req, res, next);
  }

  /** How many validators no request has needed yet. */
  get pending(): number {
    return this.unbuilt.size;
  }

  /**
   * Builds the validators no request has needed yet, one at a time, each prepared before the next
   * starts, so requests keep being served in between: for after start, in the background.
   * Resolves to how many it built.
   */
  async buildAll(): Promise<number> {
    let count = 0;
    for (const buildNow of [...this.unbuilt]) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!this.unbuilt.has(buildNow)) continue; // a request got there first
      await buildNow();
      count += 1;
    }
    return count;
  }
}
