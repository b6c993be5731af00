// One system API served by the real gateway (JWT from a test JWKS, scopes, contract validation of
// requests and responses), with an API client holding a token of the API's read and write scopes:
// the HTTP half of each system API's test fixture.
import type { Store } from '../../core/store/index.js';
import type { GatewayOverrides } from '../../gateway/server.js';
import type { RunningSandbox } from '../../sandboxes/kit/index.js';
import { bearer, makeKey, startGateway, startJwks, token, type TestGateway } from '../gateway/support.js';
import { apiClient, catalogueOf, type ApiClient } from './api-client.js';
import type { TestEngine } from './stores.js';

export interface ServedSystemApi extends ApiClient {
  gateway: TestGateway;
  /** Bearer headers of a token with these scopes. */
  headers(scope: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Serves `module` at `/system/<api>/v1`; calls go out with an `<api>:read <api>:write` token unless their headers say otherwise. */
export async function serveSystemApi(
  api: 'erp' | 'time',
  module: NonNullable<GatewayOverrides['apis']>[number],
  layers: NonNullable<GatewayOverrides['layers']>,
): Promise<ServedSystemApi> {
  const key = await makeKey();
  const jwks = await startJwks([key]);
  const gateway = await startGateway(
    jwks.url,
    {},
    {
      catalogue: await catalogueOf([{ layer: 'system', api, major: 1 }]),
      apis: [module],
      layers,
      startJourneys: false, // the system API alone is under test: no journeys on its store
    },
  );
  const headers = async (scope: string) => bearer(await token({ key, scope, clientId: 'test-client' }));
  const readWrite = await headers(`${api}:read ${api}:write`);
  return {
    ...apiClient(
      () => gateway.url,
      `/system/${api}/v1`,
      () => readWrite,
    ),
    gateway,
    headers,
    async close() {
      await gateway.close();
      await jwks.close();
    },
  };
}

/** What every system API fixture holds: the served API, its platform's sandbox, the store and the connector. */
export interface SystemApiFixture<Sandbox, Connector> extends ServedSystemApi {
  sandbox: Sandbox;
  /** The sandbox's own base URL, for calls that go around the layer. */
  sandboxUrl: string;
  store: Store;
  connector: Connector;
}

/** A fixture of these parts, closing them in order: gateway, connector, sandbox, store and engine. */
export function systemApiFixture<Sandbox, Connector extends { close(): Promise<void> }>(parts: {
  served: ServedSystemApi;
  sandbox: Sandbox;
  running: RunningSandbox;
  store: Store;
  connector: Connector;
  engine: TestEngine;
}): SystemApiFixture<Sandbox, Connector> {
  const { served, sandbox, running, store, connector, engine } = parts;
  return {
    ...served,
    sandbox,
    sandboxUrl: running.url,
    store,
    connector,
    async close() {
      await served.close();
      await connector.close();
      await running.close();
      await store.close();
      await engine.cleanup();
    },
  };
}
