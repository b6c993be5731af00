// deploy/prometheus/alerts.yml as shipped, each `for` cut to 300 ms, for tests of a layer that evaluates
// its own alerts: a pending alert fires within the test instead of after minutes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { PROJECT_ROOT } from '../../core/project-root.js';

/** Writes the fastened copy into `dir` and answers its path (for ALERT_RULES_FILE). */
export function fastenedRules(dir: string): string {
  const rules = parse(readFileSync(join(PROJECT_ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ for?: string }> }>;
  };
  for (const group of rules.groups) for (const rule of group.rules) if (rule.for) rule.for = '300ms';
  const file = join(dir, 'alerts.yml');
  writeFileSync(file, stringify(rules));
  return file;
}
