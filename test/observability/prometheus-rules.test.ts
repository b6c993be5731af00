// The alerting rules as Prometheus itself reads them: `promtool check rules` on alerts.yml,
// `promtool check config` on the example scrape configuration, and `promtool test rules` on
// alerts.test.yml. Skipped, saying so, where Debian's prometheus package is not installed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../core/project-root.js';

const DIR = join(PROJECT_ROOT, 'deploy/prometheus');

function findPromtool(): string | undefined {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return found.status === 0 ? 'promtool' : undefined;
}

const promtool = findPromtool();
if (!promtool)
  console.warn('[test] Prometheus rules: skipped, promtool is not installed (.ci/run installs it; Debian: apt-get install prometheus)');

const run = (args: string[]) => spawnSync(promtool!, args, { cwd: DIR, encoding: 'utf8' });

describe.skipIf(!promtool)('Prometheus rules under promtool', () => {
  it('checks alerts.yml: every rule parses, with its PromQL', () => {
    const checked = run(['check', 'rules', 'alerts.yml']);
    expect(checked.stdout + checked.stderr).toContain('SUCCESS');
    expect(checked.status, checked.stderr).toBe(0);
  });

  it('checks the example prometheus.yml with the rules it loads', () => {
    const checked = run(['check', 'config', 'prometheus.yml']);
    expect(checked.status, checked.stdout + checked.stderr).toBe(0);
  });

  it('passes the rules unit tests in alerts.test.yml', () => {
    const tested = run(['test', 'rules', 'alerts.test.yml']);
    expect(tested.status, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout).toContain('SUCCESS');
  });

  it('would fail a broken expectation (the unit tests can fail)', () => {
    // The same tests beside the same rules, with one expected severity changed, must fail on it.
    const dir = mkdtempSync(join(tmpdir(), 'ps-rules-'));
    try {
      copyFileSync(join(DIR, 'alerts.yml'), join(dir, 'alerts.yml'));
      const tests = readFileSync(join(DIR, 'alerts.test.yml'), 'utf8');
      writeFileSync(join(dir, 'alerts.test.yml'), tests.replace('severity: critical', 'severity: page'));
      const tested = spawnSync(promtool!, ['test', 'rules', 'alerts.test.yml'], { cwd: dir, encoding: 'utf8' });
      expect(tested.status).not.toBe(0);
      expect(tested.stdout + tested.stderr, 'for the changed severity, not for a file it could not read').toContain('severity="page"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
