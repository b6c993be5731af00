// How a journey declares its workflow: named steps in order, each idempotent toward its
// platform through the key it is handed, with an optional compensation and retry policy.

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 };

export interface StepContext<I> {
  runId: string;
  input: I;
  /** Results of the steps before this one, by step name. */
  results: Readonly<Record<string, unknown>>;
  /** `<runId>:<step name>`: the same on every attempt and after a takeover; send it downstream. */
  idempotencyKey: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when this process lost the run's lease or the run was cancelled. */
  signal: AbortSignal;
}

export interface CompensationContext<I> extends Omit<StepContext<I>, 'attempt'> {
  /** What this step returned when it completed. */
  result: unknown;
}

export interface StepDefinition<I> {
  name: string;
  /** Steps naming the same platform share one circuit breaker. */
  platform?: string;
  retry?: Partial<RetryPolicy>;
  /** Returns a JSON-serialisable result, checkpointed before the next step starts. */
  run(ctx: StepContext<I>): Promise<unknown>;
  /** Undoes the step's effect (runs in reverse order on cancel or failure). Must be idempotent. */
  compensate?(ctx: CompensationContext<I>): Promise<void>;
}

export interface WorkflowDefinition<I = unknown> {
  name: string;
  /**
   * The journey (process API) this workflow belongs to, as metrics and the operations view
   * label it; default: the workflow's own name. Core knows no journey: each definition names its own.
   */
  journey?: string;
  steps: StepDefinition<I>[];
  /** Defaults for every step's retry policy. */
  retry?: Partial<RetryPolicy>;
  /** Undo completed steps automatically when the run fails (final state `compensated`). */
  compensateOnFailure?: boolean;
  /** CloudEvents `type` prefix for run events; defaults to `workflow.<name>`. */
  eventTypePrefix?: string;
}

export function defineWorkflow<I>(definition: WorkflowDefinition<I>): WorkflowDefinition<I> {
  const names = new Set<string>();
  for (const step of definition.steps) {
    if (names.has(step.name)) throw new Error(`workflow ${definition.name}: duplicate step name ${step.name}`);
    names.add(step.name);
  }
  if (definition.steps.length === 0) throw new Error(`workflow ${definition.name} has no steps`);
  return definition;
}

export function retryPolicyFor<I>(definition: WorkflowDefinition<I>, step: StepDefinition<I>): RetryPolicy {
  return { ...DEFAULT_RETRY, ...definition.retry, ...step.retry };
}

/** One failed attempt, as kept on the step and in the dead letter. */
export interface StepAttemptError {
  attempt: number;
  at: string;
  name: string;
  message: string;
  retryAfterMs?: number;
}
