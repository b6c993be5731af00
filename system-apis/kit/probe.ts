// A read-only GET for readiness checks (`npm run check:platforms`): it goes through the
// connector's own client (credentials, timeouts, error mapping) and keeps the answer's headers,
// where platforms report their rate budget. Connectors expose it as their `probe` method.
import { ProblemError } from '../../core/problems.js';
import type { PlatformClient } from './http-client.js';

export interface ProbeAnswer {
  status: number;
  headers: Record<string, string>;
}

export async function probeRead(client: PlatformClient, path: string, query: Record<string, string | number>): Promise<ProbeAnswer> {
  const res = await client.request<unknown>({ method: 'GET', path, query });
  if (typeof res.body !== 'object' || res.body === null) {
    throw new ProblemError('upstream-error', { detail: `The platform answered ${path} with something other than JSON.` });
  }
  return { status: res.status, headers: res.headers };
}
