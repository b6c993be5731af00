// Prints the platform check: one block per platform for people, one JSON document for machines.
import { OUTCOME_LABELS } from './classify.js';
import type { PlatformReport } from './probes.js';

export interface CheckResult {
  passed: boolean;
  /** Where the base URLs came from: the environment, or the file a running layer wrote. */
  source: string;
  platforms: PlatformReport[];
}

export function toJson(result: CheckResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

export function toTable(result: CheckResult): string {
  const lines: string[] = [`Platforms from ${result.source}`, ''];
  for (const p of result.platforms) {
    lines.push(`${p.vendor} (${p.platform}) at ${p.baseUrl}: ${p.passed ? 'PASS' : 'FAIL'}`);
    const rows = [p.login, ...p.reads];
    const nameWidth = Math.max(...rows.map((r) => r.name.length), 'rate budget'.length);
    const outcomeWidth = Math.max(...rows.map((r) => OUTCOME_LABELS[r.outcome].length));
    for (const row of rows)
      lines.push(`  ${row.name.padEnd(nameWidth)}  ${OUTCOME_LABELS[row.outcome].padEnd(outcomeWidth)}  ${row.message}`);
    lines.push(`  ${'rate budget'.padEnd(nameWidth)}  ${''.padEnd(outcomeWidth)}  ${p.budget.summary} [${p.budget.source}]`, '');
  }
  const failed = result.platforms.filter((p) => !p.passed).map((p) => p.platform);
  lines.push(failed.length === 0 ? 'Every configured platform passed.' : `Failed: ${failed.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}
