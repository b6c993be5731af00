// Small HTTP helpers for journey tests: JSON calls with a bearer token and polling a run
// until it reaches one of the wanted statuses (bounded, so a stuck run fails the test).
import { waitFor } from '../../support/wait-for.js';

export interface JsonResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export async function callJson<T = unknown>(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<JsonResponse<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

export const idempotencyKey = () => ({ 'Idempotency-Key': `"${crypto.randomUUID()}"` });

/** The journeys' shorthand for waitFor (test/support/wait-for.ts). */
export function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  return waitFor(probe, { until: done, what, timeoutMs, intervalMs: 50 });
}
