// Journeys read earlier step results through the typed workflow builder and leave refusals to
// the engine's policy: no step result is cast, and no step wraps its calls in a retry policy of its own.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';

const PROCESS_APIS = join(PROJECT_ROOT, 'process-apis');

function journeySources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return journeySources(join(dir, entry.name));
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : [];
  });
}

/** `results['x'] as T`, `(results['x'] as T)`, `results.x as T`, `results as T`. */
const RESULT_CAST = /\bresults(?:\[[^\]]+\]|\.[\w$]+)?\s*\)?\s+as\s/;
/** A retry policy applied by hand around calls instead of declared with `refusals`. */
const HAND_POLICY = /\brefusalsArePermanent\b|\bclassifyRefusal\b|\bstep-errors\.js\b/;

function offences(text: string, pattern: RegExp): number[] {
  return text.split('\n').flatMap((line, index) => (pattern.test(line) ? [index + 1] : []));
}

describe('step results in the journeys', () => {
  it('recognises a cast of a step result and a hand-made refusal policy (the check itself)', () => {
    expect(offences(`const a = ctx.results['create-project'] as { engagementId: string };`, RESULT_CAST)).toEqual([1]);
    expect(offences(`x\nconst key = (results['allocate-entries'] as Allocation).invoiceKey;`, RESULT_CAST)).toEqual([2]);
    expect(offences(`const all = results as Record<string, Row>;`, RESULT_CAST)).toEqual([1]);
    expect(offences(`const { clientId } = ran(ctx.results['ensure-client']);`, RESULT_CAST)).toEqual([]);
    expect(offences(`run: (ctx) => refusalsArePermanent(() => step.run(ctx))`, HAND_POLICY)).toEqual([1]);
  });

  const files = journeySources(PROCESS_APIS);
  it.each(files.map((file) => [relative(PROJECT_ROOT, file).split(sep).join('/'), file]))('%s casts no step result', (_, file) => {
    expect(offences(readFileSync(file, 'utf8'), RESULT_CAST)).toEqual([]);
  });
  it.each(files.map((file) => [relative(PROJECT_ROOT, file).split(sep).join('/'), file]))(
    '%s wraps no call in a refusal policy',
    (_, file) => {
      expect(offences(readFileSync(file, 'utf8'), HAND_POLICY)).toEqual([]);
    },
  );
});
