// Errors a step or connector throws to steer retries: how long to wait (from a 429's
// Retry-After) and whether retrying can help at all.

export interface RetryHints {
  /** The platform asked us to wait this long (e.g. from `Retry-After`). */
  retryAfterMs?: number;
  /** False when retrying cannot help (a 4xx validation error, say): fail at once. */
  retryable?: boolean;
  /** False when the failure is not the platform's doing (see WaitingError): breakers do not count it. */
  platformFault?: boolean;
}

export class TransientError extends Error implements RetryHints {
  readonly retryAfterMs?: number;
  readonly retryable = true;
  constructor(message: string, hints: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, hints.cause !== undefined ? { cause: hints.cause } : undefined);
    this.name = 'TransientError';
    this.retryAfterMs = hints.retryAfterMs;
  }
}

/**
 * Not yet: the step waits for something other than its platform (the layer's own run still
 * going, a business hold), and the platform answered fine. Retried like a TransientError, but
 * circuit breakers do not count it: otherwise a few waits in a row would open the platform's
 * breaker and hold back every other step that needs the platform, among them the very work
 * being waited for.
 */
export class WaitingError extends TransientError {
  readonly platformFault = false;
  constructor(message: string, hints: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, hints);
    this.name = 'WaitingError';
  }
}

export class PermanentError extends Error implements RetryHints {
  readonly retryable = false;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'PermanentError';
  }
}

/** Reads retry hints from any thrown value (duck-typed, so connector errors need not subclass). */
export function retryHints(error: unknown): RetryHints {
  if (typeof error !== 'object' || error === null) return {};
  const e = error as { retryAfterMs?: unknown; retryable?: unknown; platformFault?: unknown };
  return {
    retryAfterMs: typeof e.retryAfterMs === 'number' && e.retryAfterMs >= 0 ? e.retryAfterMs : undefined,
    retryable: typeof e.retryable === 'boolean' ? e.retryable : undefined,
    ...(typeof e.platformFault === 'boolean' ? { platformFault: e.platformFault } : {}),
  };
}

/** A serialisable summary of an error for dead letters and step history (no stack traces). */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
