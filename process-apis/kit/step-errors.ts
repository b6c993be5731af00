// How a journey step treats a platform's answer: a refusal (a 4xx other than timeout,
// conflict-in-flight or rate limit) will be refused again, so the step fails at once with the
// platform's reason instead of burning its retries; an answer that says when to come back
// (429, or 503 from an open circuit, with Retry-After) waits that long; everything else is
// retried by the engine with its backoff.
import { ProblemError } from '../../core/problems.js';
import { PermanentError, TransientError } from '../../core/resilience/errors.js';

const RETRYABLE_4XX = new Set([408, 409, 423, 425, 429]);

export class PlatformRefusal extends PermanentError {
  constructor(readonly problem: ProblemError) {
    super(problem.detail, { cause: problem });
    // The problem type becomes the run error's code (e.g. `business-rule-violation`).
    this.name = problem.type;
  }
}

function retryAfterMs(problem: ProblemError): number | undefined {
  const value = problem.headers['Retry-After'] ?? problem.headers['retry-after'];
  const seconds = value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
  return seconds === undefined ? undefined : Math.min(seconds, 3600) * 1000;
}

export async function refusalsArePermanent<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof ProblemError)) throw err;
    if (err.status >= 400 && err.status < 500 && !RETRYABLE_4XX.has(err.status)) throw new PlatformRefusal(err);
    const wait = retryAfterMs(err);
    if (wait !== undefined) {
      const transient = new TransientError(err.detail, { retryAfterMs: wait, cause: err });
      transient.name = err.type;
      throw transient;
    }
    throw err;
  }
}
