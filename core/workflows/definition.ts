// How a journey declares its workflow: named steps in order, each idempotent toward its
// platform through the key it is handed, with an optional compensation, retry and refusal
// policy. The typed builder (`workflow<I>(…).step(…)`) hands each step its predecessors' results.
import type { RefusalPolicy } from '../resilience/refusals.js';
import type { RunOutcomeKind } from './schema.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 };

/** Without a declared policy a platform's refusal is retried like any failure. */
export const DEFAULT_REFUSALS: RefusalPolicy = 'retry';

/**
 * A step's result as a later step reads it: checkpointed as JSON, so `undefined` is `null`, a
 * `Date` its ISO string, and functions are gone, on the first attempt as after a takeover.
 */
export type Persisted<T> = T extends undefined | void ? null : Json<T>;

type Json<T> = T extends string | number | boolean | null | undefined
  ? T
  : T extends { toJSON(): infer J }
    ? Json<J>
    : T extends (...args: never[]) => unknown
      ? never
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : unknown;

/** Results by step name, as the engine keeps them; the typed builder narrows this per step. */
export type AnyResults = Readonly<Record<string, unknown>>;

export interface StepContext<I, R extends object = AnyResults> {
  runId: string;
  input: I;
  /** Results of the steps before this one, by step name. */
  results: Readonly<R>;
  /** `<runId>:<step name>`: the same on every attempt and after a takeover; send it downstream. */
  idempotencyKey: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when this process lost the run's lease or the run was cancelled. */
  signal: AbortSignal;
}

export interface CompensationContext<I, R extends object = AnyResults, O = unknown> extends Omit<StepContext<I, R>, 'attempt'> {
  /** What this step returned when it completed. */
  result: O;
}

/** How a step fails and waits, declared once for the workflow and overridable per step. */
export interface StepPolicy {
  /** Steps naming the same platform share one circuit breaker. */
  platform?: string;
  retry?: Partial<RetryPolicy>;
  /**
   * `permanent`: a problem answer the platform will give again (4xx but 408/409/423/425/429)
   * fails the step at once with the platform's reason, and a `Retry-After` is waited out.
   */
  refusals?: RefusalPolicy;
}

export interface StepDefinition<I> extends StepPolicy {
  name: string;
  /** Returns a JSON-serialisable result, checkpointed before the next step starts. */
  run(ctx: StepContext<I>): Promise<unknown>;
  /** Undoes the step's effect (runs in reverse order on cancel or failure). Must be idempotent. */
  compensate?(ctx: CompensationContext<I>): Promise<void>;
}

export interface WorkflowOptions {
  name: string;
  /**
   * The journey (process API) this workflow belongs to, as metrics and the operations view
   * label it; default: the workflow's own name. Core knows no journey: each definition names its own.
   */
  journey?: string;
  /** Defaults for every step's retry policy. */
  retry?: Partial<RetryPolicy>;
  /** Default for every step's refusal policy (see `StepPolicy.refusals`); `retry` when absent. */
  refusals?: RefusalPolicy;
  /** Undo completed steps automatically when the run fails (final state `compensated`). */
  compensateOnFailure?: boolean;
  /** CloudEvents `type` prefix for run events; defaults to `workflow.<name>`. */
  eventTypePrefix?: string;
}

/** A completed run that did not do its work: refused by the platform's data, or with nothing to do. */
export interface RunOutcome {
  outcome: RunOutcomeKind;
  /** Shown to operators; at most 500 characters are kept. */
  reason: string;
}

export interface WorkflowDefinition<I = unknown> extends WorkflowOptions {
  steps: StepDefinition<I>[];
  /**
   * Read from the results when the run completes: a refusal or a skip is recorded with the run
   * (state stays `completed`: nothing failed and nothing is to be retried) and shown as such.
   */
  outcome?(results: AnyResults, input: I): RunOutcome | undefined;
  /**
   * When the platform event this run carries across happened (epoch ms: a CRM change's commit, an
   * allocation's modification, an approval), read once the run completed its work (not refused or
   * skipped): the engine observes the journey's sync latency, event to effect, from it.
   */
  sourceEventAt?(results: AnyResults, input: I): number | undefined;
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

/** A step of the typed builder: `R` holds the results of the steps declared before it, `O` is what it returns. */
export interface TypedStep<I, R extends object, O> extends StepPolicy {
  run(ctx: StepContext<I, R>): Promise<O>;
  compensate?(ctx: CompensationContext<I, R, Persisted<O>>): Promise<void>;
}

type NoResults = Readonly<Record<never, never>>;

declare const RESULTS: unique symbol;

/** A workflow built step by step: carries its steps' result types (type only) for readers of its runs. */
export interface TypedWorkflowDefinition<I, R extends object> extends WorkflowDefinition<I> {
  readonly [RESULTS]?: R;
}

/** The results of a typed workflow's steps by name, as persisted: `StepResults<ReturnType<typeof myWorkflow>>`. */
export type StepResults<W> = W extends { readonly [RESULTS]?: infer R } ? R : never;

/** A name already taken becomes a type no string has, so declaring it twice does not compile. */
type FreshName<N extends string, R> = N extends keyof R ? `step "${N}" is already declared` & { readonly duplicate: N } : N;

/**
 * Declares steps in order. Each step's `ctx.results` holds exactly the steps declared before
 * it, with the types they return (as persisted), so reading a later step, a misspelt step or
 * a field a step does not return is a compile error, and no step casts what it reads.
 */
export class WorkflowBuilder<I, R extends object = NoResults> {
  constructor(
    private readonly options: WorkflowOptions,
    private readonly declared: readonly StepDefinition<I>[] = [],
  ) {}

  step<N extends string, O>(name: FreshName<N, R>, step: TypedStep<I, R, O>): WorkflowBuilder<I, R & { readonly [K in N]: Persisted<O> }> {
    return new WorkflowBuilder(this.options, [...this.declared, untyped<I, R, O>(name, step)]);
  }

  /** `outcome` and `sourceEventAt` read the typed results of a completed run (see `WorkflowDefinition`). */
  build(
    finishing: {
      outcome?(results: R, input: I): RunOutcome | undefined;
      sourceEventAt?(results: R, input: I): number | undefined;
    } = {},
  ): TypedWorkflowDefinition<I, R> {
    const { outcome, sourceEventAt } = finishing;
    return defineWorkflow<I>({
      ...this.options,
      steps: [...this.declared],
      // The engine hands over every step's checkpointed result once all completed: exactly R.
      ...(outcome ? { outcome: (results: AnyResults, input: I) => outcome(results as R, input) } : {}),
      ...(sourceEventAt ? { sourceEventAt: (results: AnyResults, input: I) => sourceEventAt(results as R, input) } : {}),
    });
  }
}

/** Starts a typed workflow: `workflow<Input>({ name, refusals: 'permanent' }).step(…).step(…).build()`. */
export function workflow<I>(options: WorkflowOptions): WorkflowBuilder<I> {
  return new WorkflowBuilder<I>(options);
}

/**
 * The engine keeps results as one map by step name and runs steps in declaration order, so
 * when a step runs its map holds every step declared before it: the one place that view is
 * asserted, for every journey, instead of a cast at each read.
 */
function untyped<I, R extends object, O>(name: string, step: TypedStep<I, R, O>): StepDefinition<I> {
  const { run, compensate, ...policy } = step;
  return {
    ...policy,
    name,
    run: (ctx) => run.call(step, ctx as StepContext<I, R>),
    ...(compensate
      ? { compensate: (ctx: CompensationContext<I>) => compensate.call(step, ctx as CompensationContext<I, R, Persisted<O>>) }
      : {}),
  };
}

export function retryPolicyFor<I>(definition: WorkflowDefinition<I>, step: StepDefinition<I>): RetryPolicy {
  return { ...DEFAULT_RETRY, ...definition.retry, ...step.retry };
}

export function refusalPolicyFor<I>(definition: WorkflowDefinition<I>, step: StepDefinition<I>): RefusalPolicy {
  return step.refusals ?? definition.refusals ?? DEFAULT_REFUSALS;
}

/** One failed attempt, as kept on the step and in the dead letter. */
export interface StepAttemptError {
  attempt: number;
  at: string;
  name: string;
  message: string;
  retryAfterMs?: number;
}
