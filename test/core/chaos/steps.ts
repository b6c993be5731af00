// The workflow the fault tests run: three steps, each one call to the downstream carrying
// the step's idempotency key; 429 becomes a TransientError with the Retry-After delay.
import { parseRetryAfter } from '../../../core/resilience/backoff.js';
import { TransientError } from '../../../core/resilience/errors.js';
import { defineWorkflow, type RetryPolicy, type WorkflowDefinition } from '../../../core/workflows/index.js';

export const CHAOS_STEPS = ['create-client', 'create-project', 'request-staffing'] as const;

export function chaosWorkflow(downstreamUrl: string, retry: Partial<RetryPolicy>): WorkflowDefinition<{ job: number }> {
  return defineWorkflow<{ job: number }>({
    name: 'chaos-provision',
    retry,
    steps: CHAOS_STEPS.map((name) => ({
      name,
      platform: 'downstream',
      run: async ({ idempotencyKey, input, signal }) => {
        const res = await fetch(downstreamUrl, {
          method: 'POST',
          headers: { 'idempotency-key': idempotencyKey, 'content-type': 'application/json' },
          body: JSON.stringify({ job: input.job, step: name }),
          signal,
        });
        if (res.status === 429)
          throw new TransientError('downstream throttled', { retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) });
        if (!res.ok) throw new TransientError(`downstream answered ${res.status}`);
        return ((await res.json()) as { effectId: string }).effectId;
      },
    })),
  });
}
