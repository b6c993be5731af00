// The ERP system API behind the real gateway (JWT, scopes, Idempotency-Key, contract validation
// of requests and responses) against its own ERP sandbox and a fresh store of one engine: what
// the ERP system API's HTTP tests start in beforeAll and stop in afterAll.
import { pino } from 'pino';
import { erpSandbox, SANDBOX_ERP_CLIENT_ID, type ErpState } from '../../sandboxes/erp/index.js';
import { devM2m } from './netsuite-m2m.js';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { ErpConnector } from '../../system-apis/erp/connector.js';
import { erpSystemModule } from '../../system-apis/erp/module.js';
import { createErpSystemApi } from '../../system-apis/erp/service.js';
import { migratedStore, type TestEngine } from './stores.js';
import { serveSystemApi, systemApiFixture, type SystemApiFixture } from './system-api-gateway.js';

export type ErpSystemFixture = SystemApiFixture<SandboxApp<ErpState>, ErpConnector>;

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
  const served = await serveSystemApi('erp', erpSystemModule, {
    infra: { store },
    systemApis: { erp: createErpSystemApi({ connector, store, logger: pino({ level: 'silent' }) }) },
  });
  return systemApiFixture({ served, sandbox, running, store, connector, engine });
}
