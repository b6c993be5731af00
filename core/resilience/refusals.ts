// What a platform's problem answer means for retrying the call that got it: a refusal (a 4xx
// other than timeout, conflict-in-flight, locked, too-early or rate limit) will be refused
// again, so it is permanent; an answer that says when to come back waits that long (capped);
// anything else is left as it is, for the caller's own backoff.
import { ProblemError } from '../problems.js';
import { parseRetryAfter } from './backoff.js';
import { PermanentError, TransientError } from './errors.js';

/** How refusals are treated: `permanent` classifies problem answers, `retry` leaves them to the backoff. */
export type RefusalPolicy = 'permanent' | 'retry';

/** 4xx answers that say "not now" rather than "no": retrying them can succeed. */
const RETRYABLE_4XX = new Set([408, 409, 423, 425, 429]);

/** Longest `Retry-After` honoured: a platform cannot park work for longer than this. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** A platform said no for a reason retrying cannot change; its problem is kept for the caller. */
export class PlatformRefusal extends PermanentError {
  constructor(readonly problem: ProblemError) {
    super(problem.detail, { cause: problem });
    // The problem type becomes the error's name, and so the run error's code (e.g. `business-rule-violation`).
    this.name = problem.type;
  }
}

function retryAfterMs(problem: ProblemError, now: number): number | undefined {
  const header = Object.entries(problem.headers).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  const wait = parseRetryAfter(header, now);
  return wait === undefined ? undefined : Math.min(wait, MAX_RETRY_AFTER_MS);
}

/**
 * The error to retry by: a refusal becomes a `PlatformRefusal` (retryable: false), an answer
 * with `Retry-After` a `TransientError` with that wait; everything else is returned unchanged.
 */
export function classifyRefusal(error: unknown, now = Date.now()): unknown {
  if (!(error instanceof ProblemError)) return error;
  if (error.status >= 400 && error.status < 500 && !RETRYABLE_4XX.has(error.status)) return new PlatformRefusal(error);
  const wait = retryAfterMs(error, now);
  if (wait === undefined) return error;
  const transient = new TransientError(error.detail, { retryAfterMs: wait, cause: error });
  transient.name = error.type;
  return transient;
}
