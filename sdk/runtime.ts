// The partner SDK's one hand-written runtime: an openapi-fetch client per experience API with a
// bearer token provider, retries that honour Retry-After, an automatic Idempotency-Key on unsafe
// calls the contract marks, and problem details as a typed error. generated/sdk/ builds on it.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { serializeItem } from 'structured-headers';

/** One operation of a contract as the generated SDK lists it. */
export interface SdkOperation {
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path template as in the contract, relative to the API's base path. */
  path: string;
  /** The contract declares an Idempotency-Key header on this operation. */
  idempotencyKey: boolean;
}

export interface SdkApi {
  /** e.g. `/experience/crm/v2` */
  basePath: string;
  operations: readonly SdkOperation[];
}

export interface RetryOptions {
  /** Attempts per logical call, the first included (default 4). */
  maxAttempts?: number;
  /** First backoff delay when the answer names no Retry-After (default 200 ms), doubled per attempt with full jitter. */
  baseDelayMs?: number;
  /** Longest wait between two attempts (default 30 s); a Retry-After beyond it is not waited for: the answer is returned. */
  maxDelayMs?: number;
}

export interface SdkOptions {
  /** Where the gateway is, e.g. `https://api.example.com` (the API's base path is added). */
  gatewayUrl: string;
  /** A bearer token, or a function that returns one (called once per logical call, so it may refresh). */
  token?: string | (() => string | Promise<string>);
  retry?: RetryOptions;
  /** Defaults to globalThis.fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** How to wait (tests may observe it); defaults to a timer that honours the request's abort signal. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Headers sent on every call. */
  headers?: Record<string, string>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const RETRY_STATUSES = new Set([429, 503]);

/** RFC 9457 problem details as the layer answers them. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: Array<{ pointer?: string; detail?: string }>;
  [extension: string]: unknown;
}

/** An error answer of the layer: `problem` holds its problem details (RFC 9457). */
export class ProblemDetailsError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails;

  constructor(problem: ProblemDetails) {
    super(`${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`);
    this.name = 'ProblemDetailsError';
    this.status = problem.status;
    this.problem = problem;
  }
}

/**
 * The data of a successful call, or a ProblemDetailsError for an error answer:
 * `const project = await expectData(crm.GET('/opportunities/{opportunityId}/project', …))`.
 */
export async function expectData<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const problem = (error ?? {}) as Partial<ProblemDetails>;
  throw new ProblemDetailsError({
    ...problem,
    type: typeof problem.type === 'string' ? problem.type : 'about:blank',
    title: typeof problem.title === 'string' ? problem.title : response.statusText,
    status: response.status,
  });
}

/**
 * Seconds until a retry from a Retry-After value (delay-seconds or an HTTP-date, RFC 9110 §10.2.3),
 * or undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^[0-9]+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A fetch that retries one logical call: on 429 and 503 always (the layer did not act on it), on a
 * network error only when repeating it is safe (a safe method, or an Idempotency-Key that makes the
 * repeat a replay). Each attempt sends the same request, so the same Idempotency-Key.
 */
export function retryingFetch(options: Pick<SdkOptions, 'retry' | 'fetch' | 'sleep'> = {}): (request: Request) => Promise<Response> {
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 4);
  const baseDelayMs = options.retry?.baseDelayMs ?? 200;
  const maxDelayMs = options.retry?.maxDelayMs ?? 30_000;
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const sleep = options.sleep ?? defaultSleep;
  const backoff = (attempt: number) => Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));

  return async (request) => {
    const repeatable = SAFE_METHODS.has(request.method) || request.headers.has('idempotency-key');
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        // The original is never sent, so its body can be cloned for every attempt.
        response = await send(request.clone());
      } catch (error) {
        if (!repeatable || attempt >= maxAttempts || request.signal.aborted) throw error;
        await sleep(backoff(attempt), request.signal);
        continue;
      }
      if (!RETRY_STATUSES.has(response.status) || attempt >= maxAttempts) return response;
      const named = retryAfterMs(response.headers.get('retry-after'));
      if (named !== undefined && named > maxDelayMs) return response;
      await response.body?.cancel();
      await sleep(named ?? backoff(attempt), request.signal);
    }
  };
}

/** Makes a header parameter the runtime fills in optional in the typed calls. */
type FilledHeaders = 'Idempotency-Key';
type WithOptionalHeaders<Operation> = Operation extends { parameters: { header: infer Header } }
  ? Omit<Operation, 'parameters'> & {
      parameters: Omit<Operation['parameters'], 'header'> & {
        header?: Omit<Header, FilledHeaders> & Partial<Pick<Header, FilledHeaders & keyof Header>>;
      };
    }
  : Operation;
export type SdkPaths<Paths> = { [Path in keyof Paths]: { [Method in keyof Paths[Path]]: WithOptionalHeaders<Paths[Path][Method]> } };

/**
 * A typed client for one experience API: `client.GET('/projects', { params: { query: { limit: 20 } } })`
 * answers `{ data, error, response }` typed from the contract.
 */
export function createSdkClient<Paths extends object>(api: SdkApi, options: SdkOptions): Client<SdkPaths<Paths>> {
  const client = createClient<SdkPaths<Paths>>({
    baseUrl: `${options.gatewayUrl.replace(/\/+$/, '')}${api.basePath}`,
    fetch: retryingFetch(options),
    headers: options.headers,
  });
  const keyed = new Set(api.operations.filter((op) => op.idempotencyKey).map((op) => `${op.method} ${op.path}`));
  const middleware: Middleware = {
    async onRequest({ request, schemaPath }) {
      if (options.token !== undefined) {
        const token = typeof options.token === 'string' ? options.token : await options.token();
        request.headers.set('Authorization', `Bearer ${token}`);
      }
      if (keyed.has(`${request.method} ${schemaPath}`) && !request.headers.has('idempotency-key')) {
        request.headers.set('Idempotency-Key', serializeItem(crypto.randomUUID()));
      }
      return request;
    },
  };
  client.use(middleware);
  return client;
}
