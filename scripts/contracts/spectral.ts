// Runs the Spectral CLI once over many contracts and returns its findings as data, so
// that the lint script and the ruleset's tests share one way of linting.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type Severity = 'error' | 'warning' | 'info' | 'hint';
const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];

export interface Finding {
  /** Absolute path of the file the finding is in (a contract or a shared component). */
  source: string;
  code: string;
  severity: Severity;
  message: string;
  /** JSON path inside the file. */
  path: string[];
  line: number;
  column: number;
}

interface SpectralJsonResult {
  code: string | number;
  message: string;
  path: Array<string | number>;
  severity: number;
  source?: string;
  range: { start: { line: number; character: number } };
}

export interface SpectralOptions {
  /** The ruleset file; defaults to spectral.yaml in rootDir. */
  ruleset?: string;
  /** Where node_modules lives; defaults to the current directory. */
  rootDir?: string;
}

/** Lints `files` in one Spectral process; rejects only when Spectral itself fails to run. */
export async function runSpectral(files: readonly string[], options: SpectralOptions = {}): Promise<Finding[]> {
  if (files.length === 0) return [];
  const rootDir = options.rootDir ?? process.cwd();
  const ruleset = options.ruleset ?? path.join(rootDir, 'spectral.yaml');
  const binary = path.join(rootDir, 'node_modules', '.bin', 'spectral');
  const args = ['lint', '--ruleset', ruleset, '--format', 'json', '--quiet', '--fail-severity', 'hint', ...files];
  let stdout: string;
  try {
    ({ stdout } = await run(binary, args, { cwd: rootDir, maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    // Spectral exits 1 when it found something at or above --fail-severity: that is a result, not a failure.
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (failed.code !== 1 || !failed.stdout?.trim().startsWith('[')) {
      throw new Error(`Spectral did not run: ${failed.stderr?.trim() || String(error)}`, { cause: error });
    }
    stdout = failed.stdout;
  }
  const start = stdout.indexOf('[');
  const results = JSON.parse(start >= 0 ? stdout.slice(start) : '[]') as SpectralJsonResult[];
  return results.map((result) => ({
    source: result.source ?? '',
    code: String(result.code),
    severity: SEVERITIES[result.severity] ?? 'error',
    message: result.message,
    path: result.path.map(String),
    line: result.range.start.line + 1,
    column: result.range.start.character + 1,
  }));
}
