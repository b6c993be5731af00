// Which journey each workflow belongs to, derived from the registered definitions (each
// declares its own `journey`), so core labels runs by journey without knowing any journey.
import type { WorkflowDefinition } from './definition.js';

export interface Journeys {
  /**
   * The journey of a workflow definition: the one it declares; for a definition not
   * registered (runs left by a retired workflow), the declared journey its name equals or
   * starts with (plus `-`); else its own name.
   */
  of(definition: string): string;
  /** The registered workflows that declare this journey (the journey's own name included when one is). */
  definitionsOf(journey: string): string[];
  /**
   * The workflow whose failed runs count as failed provisioning; without one, none do. A
   * workflow, not a journey: the journey's intake failing is not a project failing to provision.
   */
  readonly provisioning?: string;
}

export function journeysOf(
  definitions: ReadonlyArray<Pick<WorkflowDefinition<never>, 'name' | 'journey'>>,
  options: { provisioning?: string } = {},
): Journeys {
  const byDefinition = new Map(definitions.map((d) => [d.name, d.journey ?? d.name]));
  const declared = [...new Set(definitions.flatMap((d) => (d.journey ? [d.journey] : [])))];
  return {
    of: (definition) =>
      byDefinition.get(definition) ?? declared.find((j) => definition === j || definition.startsWith(`${j}-`)) ?? definition,
    definitionsOf: (journey) => [...byDefinition].filter(([name, j]) => j === journey || name === journey).map(([name]) => name),
    ...(options.provisioning ? { provisioning: options.provisioning } : {}),
  };
}
