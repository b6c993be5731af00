// The time system API behind the real gateway (JWT, scopes, contract validation of requests and
// responses) against its own Harvest-shaped sandbox and a fresh store of one engine: what the time
// system API's tests start in beforeAll and stop in afterAll.
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp, type SeedSize } from '../../sandboxes/kit/index.js';
import { createTimeSandbox, TIME_SANDBOX_ACCOUNT_ID, TIME_SANDBOX_TOKEN, type TimeState } from '../../sandboxes/time/index.js';
import { TimeConnector } from '../../system-apis/time/connector.js';
import { timeSystemModule } from '../../system-apis/time/module.js';
import { createTimeSystemApi, type TimeSystemApi } from '../../system-apis/time/service.js';
import { migratedStore, type TestEngine } from './stores.js';
import { serveSystemApi, systemApiFixture, type SystemApiFixture } from './system-api-gateway.js';

export interface TimeSystemFixture extends SystemApiFixture<SandboxApp<TimeState>, TimeConnector> {
  /** The in-process API the gateway serves. */
  api: TimeSystemApi;
}

/**
 * Starts it all, the sandbox's rate limit lifted; calls go out with a `time:read time:write` token.
 * The connector retries quickly and keeps its circuit closed, so fault tests see each answer.
 */
export async function startTimeSystemFixture(engine: TestEngine, opts: { seed?: SeedSize } = {}): Promise<TimeSystemFixture> {
  const sandbox = createSandboxApp(
    createTimeSandbox({ rateLimit: { requests: 100_000, windowSeconds: 15 } }),
    opts.seed ? { seed: opts.seed } : {},
  );
  const running: RunningSandbox = await listen(sandbox.app);
  const store = await migratedStore(engine);
  const connector = new TimeConnector({
    baseUrl: running.url,
    accessToken: TIME_SANDBOX_TOKEN,
    accountId: TIME_SANDBOX_ACCOUNT_ID,
    // Pages of 2,000 entries of the large seed take longer than the small seed's answers.
    timeoutMs: opts.seed === 'large' ? 10_000 : 2_000,
    backoff: { baseMs: 5, capMs: 20 },
    breaker: { consecutiveFailures: 1000 },
  });
  const api = createTimeSystemApi({ connector, store });
  const served = await serveSystemApi('time', timeSystemModule, { infra: { store }, systemApis: { time: api } });
  return { ...systemApiFixture({ served, sandbox, running, store, connector, engine }), api };
}
