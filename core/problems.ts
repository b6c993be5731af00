// One error class with a closed set of problem types, and one pure function that
// turns any thrown value into an RFC 9457 problem details response.

export const PROBLEM_TYPES = {
  'bad-request': { status: 400, title: 'Bad request' },
  'validation-failed': { status: 400, title: 'Request validation failed' },
  'malformed-json': { status: 400, title: 'Malformed JSON body' },
  'idempotency-key-missing': { status: 400, title: 'Idempotency-Key header required' },
  'idempotency-key-malformed': { status: 400, title: 'Idempotency-Key header malformed' },
  unauthorized: { status: 401, title: 'Authentication required' },
  'invalid-signature': { status: 401, title: 'Signature verification failed' },
  forbidden: { status: 403, title: 'Insufficient scope' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-acceptable': { status: 406, title: 'Not acceptable' },
  conflict: { status: 409, title: 'Conflict' },
  'idempotency-request-in-flight': { status: 409, title: 'A request with this Idempotency-Key is still in flight' },
  gone: { status: 410, title: 'Gone' },
  'precondition-failed': { status: 412, title: 'Precondition failed' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'unprocessable-content': { status: 422, title: 'Unprocessable content' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key reused with a different request' },
  'business-rule-violation': { status: 422, title: 'Business rule violated' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  'not-implemented': { status: 501, title: 'Not implemented' },
  'upstream-error': { status: 502, title: 'Upstream platform error' },
  'upstream-unavailable': { status: 503, title: 'Upstream platform unavailable' },
  'service-unavailable': { status: 503, title: 'Service unavailable' },
  'upstream-timeout': { status: 504, title: 'Upstream platform timed out' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

/** A single field-level error; `pointer` is a JSON Pointer (RFC 6901) into the request. */
export interface FieldError {
  pointer: string;
  detail: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface ProblemInit {
  detail?: string;
  errors?: FieldError[];
  /** Extra response headers, e.g. Retry-After or WWW-Authenticate. */
  headers?: Record<string, string>;
  /** Extension members added to the body (must not contain internals). */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem type URI: relative to the gateway, which documents each one at /problems/{type}. */
export function problemTypeUri(type: ProblemType): string {
  return `/problems/${type}`;
}

export class ProblemError extends Error {
  readonly type: ProblemType;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(type: ProblemType, init: ProblemInit = {}) {
    const def = PROBLEM_TYPES[type];
    super(init.detail ?? def.title, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'ProblemError';
    this.type = type;
    this.status = def.status;
    this.title = def.title;
    this.detail = init.detail ?? def.title;
    this.errors = init.errors;
    this.headers = init.headers ?? {};
    this.extensions = init.extensions ?? {};
  }
}

export function isProblemError(value: unknown): value is ProblemError {
  return value instanceof ProblemError;
}

export interface ProblemResponse {
  status: number;
  headers: Record<string, string>;
  body: ProblemBody;
}

export interface ProblemContext {
  requestId?: string;
  /** The request path, used as `instance`. */
  instance?: string;
  /** Only in development: include the message and stack of unknown errors. */
  exposeInternals?: boolean;
}

/**
 * Maps any thrown value to a problem response. Unknown errors become a generic 500
 * whose detail hides internals; the request id lets an operator find the log line.
 */
export function toProblemResponse(error: unknown, ctx: ProblemContext = {}): ProblemResponse {
  const problem = isProblemError(error) ? error : undefined;
  if (problem) {
    const body: ProblemBody = {
      ...problem.extensions,
      type: problemTypeUri(problem.type),
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      ...(ctx.instance ? { instance: ctx.instance } : {}),
      ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
      ...(problem.errors?.length ? { errors: problem.errors } : {}),
    };
    return { status: problem.status, headers: { ...problem.headers }, body };
  }
  const def = PROBLEM_TYPES.internal;
  const body: ProblemBody = {
    type: problemTypeUri('internal'),
    title: def.title,
    status: def.status,
    detail: ctx.requestId
      ? `The request failed unexpectedly. Quote request id ${ctx.requestId} to the operators.`
      : 'The request failed unexpectedly.',
    ...(ctx.instance ? { instance: ctx.instance } : {}),
    ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
  };
  if (ctx.exposeInternals && error instanceof Error) {
    body.debug = { message: error.message, stack: error.stack };
  }
  return { status: def.status, headers: {}, body };
}
