// Test wiring for the system-API client kit and the connector tests: the fixture vendor on a real port and a client for it.
import { pino, type Logger } from 'pino';
import { ProblemError } from '../../core/problems.js';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { fixturePlatform, CLIENT_ID, CLIENT_SECRET, type FixturePlatformState } from './fixture-platform.js';
import { PlatformClient, type PlatformClientOptions, type PlatformResponse } from '../../system-apis/kit/http-client.js';
import { ClientCredentialsToken } from '../../system-apis/kit/oauth.js';

export interface Vendor {
  sandbox: SandboxApp<FixturePlatformState>;
  running: RunningSandbox;
  state(): FixturePlatformState;
}

export async function startVendor(): Promise<Vendor> {
  const sandbox = createSandboxApp(fixturePlatform);
  const running = await listen(sandbox.app);
  return { sandbox, running, state: () => sandbox.ctx.state() };
}

/** NetSuite-like error mapping, as a connector would write it. */
export function mapFixtureError(res: PlatformResponse): ProblemError {
  const details = (res.body as { 'o:errorDetails'?: Array<{ detail?: string; 'o:errorCode'?: string }> } | undefined)?.['o:errorDetails'];
  const first = Array.isArray(details) ? details[0] : undefined;
  const type = res.status === 404 ? 'not-found' : res.status === 400 ? 'bad-request' : 'upstream-error';
  return new ProblemError(type, {
    detail: first?.detail ?? `The platform answered ${res.status}.`,
    extensions: { vendorCode: first?.['o:errorCode'] },
  });
}

/** A logger whose every line lands in `lines`, at the most verbose level. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

export function makeClient(
  vendor: Vendor,
  overrides: Partial<PlatformClientOptions> = {},
): { client: PlatformClient; token: ClientCredentialsToken } {
  const token = new ClientCredentialsToken({
    tokenUrl: `${vendor.running.url}/oauth/token`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    timeoutMs: 2_000,
    platform: 'erp',
  });
  const client = new PlatformClient({
    platform: 'erp',
    baseUrl: `${vendor.running.url}/api`,
    timeoutMs: 1_000,
    authorize: (force) => token.header(force),
    mapError: mapFixtureError,
    backoff: { baseMs: 10, capMs: 50 },
    ...overrides,
  });
  return { client, token };
}

/** Resolves to the thrown ProblemError (fails the test if the call succeeded or threw something else). */
export async function problemOf(call: Promise<unknown>): Promise<ProblemError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ProblemError) return err;
    throw err;
  }
  throw new Error('expected the call to fail with a ProblemError');
}
