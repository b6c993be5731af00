// The gateway memoises the validator's route patterns by swapping the pathToRegexp export of
// the validator's own path-to-regexp. That only works while the validator looks the function
// up on the module at call time; this test fails if an upgrade changes that (or the module),
// instead of the gateway silently losing the speed-up.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../core/contracts/catalogue.js';
import { deferContractSchemaCheck, memoiseValidatorRoutes, resolveSchemasWithoutCompiling } from '../../gateway/validator-route-cache.js';
import { bearer, startGatewayWithToken, type GatewayWithToken, type TestGateway } from './support.js';

type Fn = ((path: string, options?: object) => { regexp: RegExp }) & { memoised?: true };
const requireFromValidator = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
const mod = requireFromValidator('path-to-regexp') as { pathToRegexp: Fn };

describe('validator route cache', () => {
  let started: GatewayWithToken;
  let gw: TestGateway;
  let jwt: string;
  beforeAll(async () => {
    started = await startGatewayWithToken('widgets:read', 'route-cache');
    ({ gw, jwt } = started);
  });
  afterAll(async () => {
    await started?.close();
  });

  it('is in place, answers the same compiled pattern, and is what the validator calls', async () => {
    memoiseValidatorRoutes();
    const memoised = mod.pathToRegexp;
    expect(memoised.memoised).toBe(true);
    expect(memoised('/widgets/:id', { sensitive: false, strict: false })).toBe(
      memoised('/widgets/:id', { sensitive: false, strict: false }),
    );
    expect(memoised('/widgets/:id', { sensitive: false, strict: false }).regexp.test('/widgets/w-1')).toBe(true);

    let calls = 0;
    const counting: Fn = (path, options) => {
      calls += 1;
      return memoised(path, options);
    };
    mod.pathToRegexp = counting;
    try {
      const res = await fetch(`${gw.url}/system/widgets/v3/widgets/w-1`, { headers: bearer(jwt) });
      expect(res.status).toBe(200);
    } finally {
      mod.pathToRegexp = memoised;
    }
    expect(calls, 'the validator no longer resolves pathToRegexp through the module at call time').toBeGreaterThan(0);
  });

  it('defers the contract check to its first use, where it still finds what it found before', () => {
    type Check = new (opts: { version: string; validateApiSpec: boolean }) => { validate(doc: unknown): { errors: unknown[] } };
    const checks = requireFromValidator('./framework/openapi.schema.validator.js') as {
      OpenAPISchemaValidator: Check & { deferred?: true };
    };
    const framework = requireFromValidator('./framework/index.js') as object;
    expect(framework, 'the validator framework module is loaded').toBeTruthy();
    deferContractSchemaCheck();
    expect(checks.OpenAPISchemaValidator.deferred, 'the deferred check is what the framework constructs').toBe(true);
    const check = new checks.OpenAPISchemaValidator({ version: '3.1.0', validateApiSpec: true });
    expect(check.validate({ openapi: '3.1.0', info: { title: 'ok', version: '1.0.0' }, paths: {} }).errors).toEqual([]);
    expect(check.validate({ openapi: '3.1.0', paths: {} }).errors.length, 'a contract without info').toBeGreaterThan(0);
  });
});

describe('contract preparation without compiling referenced schemas', () => {
  type Prepared = { apiDoc: unknown; apiDocRes: unknown };
  type Resolve = ((schema: unknown) => unknown) & { uncompiled?: true; original?: Resolve };
  type Preprocessor = {
    prototype: { resolveSchema: Resolve };
    new (
      doc: unknown,
      ajvOptions: unknown,
      responses: unknown,
    ): {
      preProcess(): Prepared;
      ajv: { schemas: Record<string, { validate?: unknown }> };
    };
  };
  const { SchemaPreprocessor } = requireFromValidator('./middlewares/parsers/schema.preprocessor.js') as {
    SchemaPreprocessor: Preprocessor;
  };
  const { OpenApiValidator } = requireFromValidator('./openapi.validator.js') as {
    OpenApiValidator: new (options: object) => { ajvOpts: { preprocessor: unknown } };
  };

  it('prepares every contract exactly as the validator does, without compiling the component schemas', async () => {
    resolveSchemasWithoutCompiling();
    const patched = SchemaPreprocessor.prototype.resolveSchema;
    expect(patched.uncompiled, 'the patched lookup is in place').toBe(true);
    const ajvOptions = new OpenApiValidator({
      apiSpec: {},
      validateApiSpec: false,
      validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false, allErrors: true },
      validateResponses: { removeAdditional: false },
      validateSecurity: false,
      validateFormats: true,
    }).ajvOpts.preprocessor;
    const prepare = (doc: Record<string, unknown>, resolve: Resolve) => {
      SchemaPreprocessor.prototype.resolveSchema = resolve;
      try {
        const preprocessor = new SchemaPreprocessor(structuredClone(doc), ajvOptions, { removeAdditional: false });
        const prepared = preprocessor.preProcess();
        const compiled = Object.entries(preprocessor.ajv.schemas).filter(([key, env]) => key.startsWith('#/components/') && env?.validate);
        return { prepared, compiled: compiled.length };
      } finally {
        SchemaPreprocessor.prototype.resolveSchema = patched;
      }
    };
    const catalogue = await loadCatalogue();
    for (const contract of catalogue) {
      const before = prepare(contract.bundled, patched.original!);
      const after = prepare(contract.bundled, patched);
      expect(after.prepared, `${contract.file}: the prepared request and response documents`).toEqual(before.prepared);
      expect(after.compiled, `${contract.file}: component schemas compiled while preparing`).toBe(0);
    }
    const compiledBefore = catalogue.map((c) => prepare(c.bundled, patched.original!).compiled);
    expect(Math.max(...compiledBefore), 'the unpatched preparation does compile them (else this test proves nothing)').toBeGreaterThan(0);
  }, 120_000);
});
