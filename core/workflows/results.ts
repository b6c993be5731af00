// Reads a typed workflow's step results back from its runs (`getRun`'s steps, or step rows with
// their parsed result) for views of what a run has done: typed by the steps that wrote them.
import type { StepView } from './runs.js';

type StepOfRun = Pick<StepView, 'name' | 'state' | 'result'>;

/**
 * `stepResults<StepResults<typeof wf>>(run, wf.name)('create-project')`: the step's result when
 * it completed, else undefined. The run must be of that definition (checked), so the result was
 * written by that step: the one place a persisted result is taken at its step's type.
 */
export function stepResults<R extends object>(
  run: { definition: string; steps: readonly StepOfRun[] },
  definition: string,
): <N extends keyof R & string>(step: N) => R[N] | undefined {
  if (run.definition !== definition) throw new Error(`a run of ${run.definition} cannot be read as one of ${definition}`);
  return <N extends keyof R & string>(step: N) => {
    const completed = run.steps.find((s) => s.name === step && s.state === 'completed');
    return completed ? (completed.result as R[N]) : undefined;
  };
}
