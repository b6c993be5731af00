// Runs the Redocly CLI linter (redocly.yaml: recommended-strict) once over many contracts and
// returns its findings in the same shape as Spectral's, so lint:contracts reports both alike.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Finding } from './spectral.js';

const run = promisify(execFile);

// One line per problem: ::error title=<rule>,file=<file>,line=<n>,col=<n>,…::<message, %0A for newlines>
const ANNOTATION = /^::(error|warning|notice) title=([^,]+),file=([^,]+),line=(\d+),col=(\d+)[^:]*::(.*)$/;

export async function runRedocly(files: readonly string[], rootDir: string): Promise<Finding[]> {
  if (files.length === 0) return [];
  const binary = path.join(rootDir, 'node_modules', '.bin', 'redocly');
  const args = ['lint', '--config', path.join(rootDir, 'redocly.yaml'), '--format', 'github-actions', ...files];
  // No telemetry or update check: lint runs offline and in CI.
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  let stdout: string;
  try {
    ({ stdout } = await run(binary, args, { cwd: rootDir, env, maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    // Exit 1 with annotations is a result; anything else means Redocly itself did not run.
    if (failed.code !== 1 || !failed.stdout?.includes('::')) {
      throw new Error(`Redocly did not run: ${failed.stderr?.trim().split('\n').slice(-3).join(' ') || String(error)}`, { cause: error });
    }
    stdout = failed.stdout;
  }
  const findings: Finding[] = [];
  for (const line of stdout.split('\n')) {
    const m = ANNOTATION.exec(line.trim());
    if (!m) continue;
    const [, level, rule, file, row, col, message] = m;
    findings.push({
      source: path.resolve(rootDir, file),
      code: `redocly:${rule}`,
      severity: level === 'error' ? 'error' : level === 'warning' ? 'warning' : 'info',
      message: message
        .replace(/%0[AD]/g, ' ')
        .replace(/%25/g, '%')
        .split('Reference:')[0]
        .trim(),
      path: [],
      line: Number(row),
      column: Number(col),
    });
  }
  return findings;
}
