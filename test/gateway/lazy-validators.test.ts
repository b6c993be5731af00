// Each contract's request validator is built on its contract's first request, not at start: the
// first request to a contract is still checked against it, and building the rest in the
// background (as npm start does) leaves nothing unchecked either. Within a contract, each
// operation's schemas are compiled once, on its first request, and reused from then on.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, fixtureCatalogue, startGatewayWithToken, type GatewayWithToken, type TestGateway } from './support.js';

// The Ajv the validator compiles with (its own resolution of it): every compiled schema passes here.
const requireFromValidator = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
const ajvCore = requireFromValidator('ajv/dist/core') as { default: { prototype: Record<string, (...args: unknown[]) => unknown> } };

interface Problem {
  status: number;
  errors?: Array<{ pointer: string }>;
}

describe('request validators built on first use', () => {
  let started: GatewayWithToken;
  let gw: TestGateway;
  let jwt: string;
  beforeAll(async () => {
    started = await startGatewayWithToken('widgets:read widgets:write', 'lazy-validators');
    ({ gw, jwt } = started);
  });
  afterAll(async () => {
    await started?.close();
  });

  const refused = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${gw.url}${path}`, { ...init, headers: { ...bearer(jwt), ...init.headers } });
    expect(res.headers.get('content-type'), `${path}: content type`).toMatch(/^application\/problem\+json/);
    return { status: res.status, body: (await res.json()) as Problem };
  };

  it('checks the very first request to a contract, then builds the others in the background, which check theirs', async () => {
    // Mounted with a validator: the gateway's own contract and every contract not retired.
    const mounted = (await fixtureCatalogue()).filter((c) => c.lifecycle !== 'retired').length;
    expect(mounted, 'the fixture catalogue has several contracts to validate').toBeGreaterThan(2);

    const first = await refused('/system/widgets/v3/widgets?limit=0');
    expect(first.status, 'the first request of all, with limit below its minimum').toBe(400);
    expect(
      first.body.errors?.map((e) => e.pointer),
      'what the validator found',
    ).toContain('/query/limit');

    expect(await gw.buildValidators(), 'validators built in the background: all but the one the request built').toBe(mounted - 1);
    expect(await gw.buildValidators(), 'built again: none left').toBe(0);

    const deprecated = await refused('/system/widgets/v2/widgets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ unexpected: true }),
    });
    expect(deprecated.status, 'a contract whose validator was built in the background').toBe(400);
    expect(deprecated.body.errors?.length, 'with what it found').toBeGreaterThan(0);
    const again = await refused('/system/widgets/v3/widgets?limit=101');
    expect(again.status, 'the first contract, on a later request').toBe(400);
  });

  it("compiles each operation's schemas on its first request only", async () => {
    const proto = ajvCore.default.prototype;
    const compile = proto._compileSchemaEnv!;
    let compiled = 0;
    proto._compileSchemaEnv = function (this: unknown, ...args: unknown[]) {
      compiled += 1;
      return compile.apply(this, args);
    };
    const compiledBy = async (path: string) => {
      const before = compiled;
      const res = await fetch(`${gw.url}${path}`, { headers: bearer(jwt) });
      expect(res.status, `${path}: status`).toBeLessThan(500);
      await res.arrayBuffer();
      return compiled - before;
    };
    try {
      expect(await compiledBy('/system/widgets/v3/widgets/w-1'), 'getWidget, first request').toBeGreaterThan(0);
      expect(await compiledBy('/system/widgets/v3/widgets/w-2'), 'getWidget, again with another id').toBe(0);
      expect(await compiledBy('/system/widgets/v3/widgets/w-1'), 'getWidget, a third time').toBe(0);
      expect(await compiledBy('/system/widgets/v3/widgets?limit=5'), 'listWidgets, its first valid request').toBeGreaterThan(0);
      expect(await compiledBy('/system/widgets/v3/widgets?limit=7'), 'listWidgets, again').toBe(0);
    } finally {
      proto._compileSchemaEnv = compile;
    }
  });
});
