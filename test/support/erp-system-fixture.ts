// The ERP system API behind the real gateway (JWT, scopes, Idempotency-Key, contract validation
// of requests and responses) against its own ERP sandbox and a fresh store of one engine: what
// the ERP system API's HTTP tests start in beforeAll and stop in afterAll.
import { pino } from 'pino';
import type { Store } from '../../core/store/index.js';
import { erpSandbox, SANDBOX_ERP_CLIENT_ID, type ErpState } from '../../sandboxes/erp/index.js';
import { devM2m } from './netsuite-m2m.js';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { ErpConnector } from '../../system-apis/erp/connector.js';
import { erpSystemModule } from '../../system-apis/erp/module.js';
import { createErpSystemApi } from '../../system-apis/erp/service.js';
import { bearer, makeKey, startGateway, startJwks, token, type TestGateway, type TestJwks } from '../gateway/support.js';
import { apiClient, catalogueOf, type ApiClient } from './api-client.js';
import { migratedStore, type TestEngine } from './stores.js';

export interface ErpSystemFixture extends ApiClient {
  sandbox: SandboxApp<ErpState>;
  /** The sandbox's own base URL, for calls that go around the layer. */
  sandboxUrl: string;
  store: Store;
  connector: ErpConnector;
  gateway: TestGateway;
  /** Bearer headers of a token with these scopes. */
  headers(scope: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Starts it all; calls go out with an `erp:read erp:write` token unless a call's headers say otherwise. */
export async function startErpSystemFixture(engine: TestEngine): Promise<ErpSystemFixture> {
  const sandbox = createSandboxApp(erpSandbox);
  const running: RunningSandbox = await listen(sandbox.app);
  const store = await migratedStore(engine);
  const connector = new ErpConnector({
    baseUrl: running.url,
    clientId: SANDBOX_ERP_CLIENT_ID,
    m2m: devM2m(),
    timeoutMs: 2_000,
    client: { backoff: { baseMs: 5, capMs: 20 }, breaker: { consecutiveFailures: 1000 } },
  });
  const key = await makeKey();
  const jwks: TestJwks = await startJwks([key]);
  const gateway = await startGateway(
    jwks.url,
    {},
    {
      catalogue: await catalogueOf([{ layer: 'system', api: 'erp', major: 1 }]),
      apis: [erpSystemModule],
      layers: { infra: { store }, systemApis: { erp: createErpSystemApi({ connector, store, logger: pino({ level: 'silent' }) }) } },
      startJourneys: false, // the ERP system API alone is under test: no journeys on its store
    },
  );
  const headers = async (scope: string) => bearer(await token({ key, scope, clientId: 'test-client' }));
  const readWrite = await headers('erp:read erp:write');
  return {
    ...apiClient(
      () => gateway.url,
      '/system/erp/v1',
      () => readWrite,
    ),
    sandbox,
    sandboxUrl: running.url,
    store,
    connector,
    gateway,
    headers,
    async close() {
      await gateway.close();
      await jwks.close();
      await connector.close();
      await running.close();
      await store.close();
      await engine.cleanup();
    },
  };
}
