// Shutdown with SHUTDOWN_DRAIN_MS: readiness fails at once while the port still serves, so a
// load balancer takes the process out of rotation before the listener closes.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for.js';
import { startGateway } from './support.js';

describe('draining on shutdown', () => {
  it('answers /readyz 503 while the port still serves, then stops listening', async () => {
    const gw = await startGateway(undefined, { SHUTDOWN_DRAIN_MS: '1500' });
    expect((await fetch(`${gw.url}/readyz`)).status, 'readiness before shutdown').toBe(200);
    const closed = gw.close();
    const drained = await waitFor(() => fetch(`${gw.url}/readyz`), { until: (r) => r.status === 503, what: 'readiness to fail' });
    const body = (await drained.json()) as { detail: string; status: number };
    expect(drained.headers.get('content-type'), 'readiness answer while draining').toMatch(/^application\/problem\+json/);
    expect(body, 'readiness problem while draining').toMatchObject({ status: 503, detail: expect.stringMatching(/shutting down/) });
    expect((await fetch(`${gw.url}/healthz`)).status, 'other requests while draining').toBe(200);
    await closed;
    await expect(fetch(`${gw.url}/healthz`), 'a request after the drain').rejects.toThrow();
  });
});
