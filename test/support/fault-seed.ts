// One seed per test for the sandboxes' fault plans: taken from FAULT_SEED when it is set (to
// replay a failure), else derived from the test's name, so every run draws the same faults.
// A failing test prints the seed it ran with.
import { expect, onTestFailed } from 'vitest';

export function faultSeed(): number {
  const name = expect.getState().currentTestName ?? '';
  const fromEnv = process.env.FAULT_SEED;
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) >>> 0 : hash(name);
  onTestFailed(() => {
    console.error(`[fault plan] "${name}" ran with seed ${seed}; replay with FAULT_SEED=${seed}`);
  });
  return seed;
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
