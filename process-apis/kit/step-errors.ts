// How a journey step treats a platform's answer: a refusal (a 4xx other than timeout,
// conflict-in-flight or rate limit) will be refused again, so the step fails at once with the
// platform's reason instead of burning its retries; everything else is retried by the engine.
import { ProblemError } from '../../core/problems.js';
import { PermanentError } from '../../core/resilience/errors.js';

const RETRYABLE_4XX = new Set([408, 409, 423, 425, 429]);

export class PlatformRefusal extends PermanentError {
  constructor(readonly problem: ProblemError) {
    super(problem.detail, { cause: problem });
    // The problem type becomes the run error's code (e.g. `business-rule-violation`).
    this.name = problem.type;
  }
}

export async function refusalsArePermanent<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ProblemError && err.status >= 400 && err.status < 500 && !RETRYABLE_4XX.has(err.status)) throw new PlatformRefusal(err);
    throw err;
  }
}
