// Three costs of express-openapi-validator (5.6) that do no work for us, removed without changing
// what it checks. It matches a request to its operation by compiling every route of the contract
// with path-to-regexp on every request: the routes are a fixed set, so the pattern is memoised.
// It compiles the whole OpenAPI meta-schema for every contract at start-up even when told not to
// validate the contract (about 100 ms each): that compile is deferred to first use. And preparing
// a contract, it compiles each component schema a body or response refers to only to read the
// schema back (nine tenths of the preparation): the schema is read without compiling it.
import { createRequire } from 'node:module';

type PathToRegexp = (
  path: string,
  options?: { sensitive?: boolean; strict?: boolean; end?: boolean },
) => { regexp: RegExp; keys: unknown[] };

// The validator's own copy of path-to-regexp, resolved the way it requires it.
const requireFromValidator = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
const pathToRegexpModule = requireFromValidator('path-to-regexp') as { pathToRegexp: PathToRegexp & { memoised?: true } };

/** Idempotent: swaps the validator's pathToRegexp for a memoised one, once per process. */
export function memoiseValidatorRoutes(): void {
  const original = pathToRegexpModule.pathToRegexp;
  if (original.memoised) return;
  const compiled = new Map<string, ReturnType<PathToRegexp>>();
  const memoised: PathToRegexp & { memoised?: true } = (path, options) => {
    // Only plain string routes with the two flags the validator passes are cached; anything else
    // goes straight through. The regexps carry no g/y flag, so sharing them keeps exec() stateless.
    if (typeof path !== 'string' || (options && Object.keys(options).some((k) => k !== 'sensitive' && k !== 'strict'))) {
      return original(path, options);
    }
    const key = `${options?.sensitive ? 1 : 0}${options?.strict ? 1 : 0}${path}`;
    let hit = compiled.get(key);
    if (!hit) {
      hit = original(path, options);
      // Bounded all the same: contracts are finite, but nothing else should be able to grow this.
      if (compiled.size >= 10_000) compiled.clear();
      compiled.set(key, hit);
    }
    return hit;
  };
  memoised.memoised = true;
  pathToRegexpModule.pathToRegexp = memoised;
}

interface SpecValidator {
  validate(doc: unknown): { errors: unknown[] };
}
type SpecValidatorClass = (new (opts: { version: string; validateApiSpec: boolean }) => SpecValidator) & { deferred?: true };
const specValidatorModule = requireFromValidator('./framework/openapi.schema.validator.js') as {
  OpenAPISchemaValidator: SpecValidatorClass;
};

/**
 * Idempotent: the validator's check of the contract itself is built on its first use, not at
 * construction. With `validateApiSpec: false` (contracts are linted before they get here) it is
 * never used, so never built; with true, it is built and used exactly as before.
 */
export function deferContractSchemaCheck(): void {
  const Original = specValidatorModule.OpenAPISchemaValidator;
  if (Original.deferred) return;
  class Deferred implements SpecValidator {
    private built?: SpecValidator;
    constructor(private readonly opts: { version: string; validateApiSpec: boolean }) {}
    validate(doc: unknown) {
      this.built ??= new Original(this.opts);
      return this.built.validate(doc);
    }
    static deferred = true as const;
  }
  specValidatorModule.OpenAPISchemaValidator = Deferred;
}

interface Preprocessor {
  ajv: { schemas: Record<string, { schema?: unknown } | string | undefined> };
  resolvedSchemaCache: Map<string, unknown>;
}
type ResolveSchema = ((this: Preprocessor, schema: unknown) => unknown) & { uncompiled?: true; original?: ResolveSchema };
const preprocessorModule = requireFromValidator('./middlewares/parsers/schema.preprocessor.js') as {
  SchemaPreprocessor: { prototype: { resolveSchema: ResolveSchema } };
};

/**
 * Idempotent: the contract preparation's resolveSchema answers a `$ref` to a schema registered
 * with its Ajv (every components/schemas entry) with that registered schema, which is what its
 * `ajv.getSchema(ref).schema` returns once it has compiled it; other references resolve as before.
 */
export function resolveSchemasWithoutCompiling(): void {
  const proto = preprocessorModule.SchemaPreprocessor.prototype;
  const original = proto.resolveSchema;
  if (original.uncompiled) return;
  const resolveSchema: ResolveSchema = function (this: Preprocessor, schema: unknown) {
    const ref = (schema as { $ref?: unknown } | null | undefined)?.$ref;
    if (typeof ref === 'string' && !this.resolvedSchemaCache.has(ref)) {
      const registered = this.ajv.schemas[ref];
      // The original looks in this cache first, so it answers with the registered schema.
      if (typeof registered === 'object' && registered.schema !== undefined) this.resolvedSchemaCache.set(ref, registered.schema);
    }
    return original.call(this, schema);
  };
  resolveSchema.uncompiled = true;
  resolveSchema.original = original; // for the test that compares the two
  proto.resolveSchema = resolveSchema;
}
