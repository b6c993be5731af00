// Credentials never reach an error body, an error message or a log line, whatever fails.
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toProblemResponse, type ProblemError } from '../../core/problems.js';
import { CLIENT_SECRET } from '../../test/support/fixture-platform.js';
import { capturingLogger, makeClient, problemOf, startVendor, type Vendor } from '../../test/support/platform-client.js';
import { ClientCredentialsToken } from './oauth.js';
import { PlatformClient } from './http-client.js';

let vendor: Vendor;
beforeAll(async () => {
  vendor = await startVendor();
});
afterAll(() => vendor.running.close());

function everythingAbout(err: ProblemError): string {
  return [JSON.stringify(toProblemResponse(err, { exposeInternals: true })), err.message, err.stack ?? '', inspect(err, { depth: 6 })].join(
    '\n',
  );
}

describe('credentials stay out of errors and logs', () => {
  it('for every failure mode of a call made with a bearer token', async () => {
    const { logger, lines } = capturingLogger();
    const { client } = makeClient(vendor, { logger, maxAttempts: 1, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } });
    await client.request({ method: 'GET', path: '/records' });
    const [token] = [...vendor.state().tokens];
    expect(token).toMatch(/^tok_/);
    const errors: ProblemError[] = [];
    const faults = vendor.sandbox.ctx.faults;
    for (const fault of [{ redirectRate: 1 }, { malformedRate: 1 }, { errorRate: 1, errorStatus: 500 }, { hangRate: 1 }] as const) {
      faults.clear();
      faults.set({ ...fault, paths: '/api/' });
      errors.push(await problemOf(client.request({ method: 'GET', path: '/records' })));
    }
    errors.push(await problemOf(client.request({ method: 'GET', path: '/records' }))); // circuit open by now
    faults.clear();
    errors.push(await problemOf(client.request({ method: 'GET', path: '/records/1' })));
    await client.close();

    expect(errors.map((e) => e.status)).toEqual([502, 502, 502, 504, 503, 503]);
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [...errors.map(everythingAbout), ...lines]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(CLIENT_SECRET);
    }
  });

  it('when the token endpoint refuses the client and echoes the secret back', async () => {
    const token = new ClientCredentialsToken({
      tokenUrl: `${vendor.running.url}/oauth/token`,
      clientId: 'fixture-client',
      clientSecret: 'wrong-s3cret-value',
      timeoutMs: 1_000,
      platform: 'erp',
    });
    const client = new PlatformClient({
      platform: 'erp',
      baseUrl: `${vendor.running.url}/api`,
      timeoutMs: 1_000,
      authorize: (force) => token.header(force),
      mapError: () => {
        throw new Error('not reached');
      },
    });
    const err = await problemOf(client.request({ method: 'GET', path: '/records' }));
    expect(err.type).toBe('upstream-error');
    expect(err.detail).toContain('invalid_client');
    expect(everythingAbout(err)).not.toContain('wrong-s3cret-value');
    await client.close();
  });
});
