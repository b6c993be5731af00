// The operations API on this origin, typed by the contract's generated types (openapi-fetch).
// The signed-in token lives in this module's memory only: never in storage, never in a URL.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from '../../../../generated/openapi/experience/operations.v1.js';

export type Schemas = components['schemas'];
export const API_BASE = '/experience/operations/v1';

let token = '';
export const setToken = (value: string) => void (token = value);

/** A failed call, with the problem's detail (RFC 9457) when the API sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// A Structured Field string, as the contract's Idempotency-Key header wants. randomUUID needs a
// secure context; a console served over plain http on a private host falls back to random bytes.
export function idempotencyKey(): string {
  const id =
    typeof crypto.randomUUID === 'function'
      ? crypto.randomUUID()
      : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `"${id}"`;
}

const auth: Middleware = {
  onRequest({ request }) {
    request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
};

/** The header every unsafe call carries: a new key per click, so a double click is one action. */
export const unsafe = () => ({ 'Idempotency-Key': idempotencyKey() });

export const client = createClient<paths>({ baseUrl: location.origin + API_BASE });
client.use(auth);

/** The data of a call, or an ApiError saying why not. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data;
  const problem = (error ?? {}) as { detail?: string; title?: string };
  throw new ApiError(response.status, problem.detail || problem.title || `HTTP ${response.status}`);
}

/** For a part of a page that can be missing without the rest: the data, or why it is not there. */
export async function optional<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T } | { error: string }> {
  try {
    return { data: await unwrap(call) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
