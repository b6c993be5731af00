// npm run lint:contracts — lints every contract with spectral.yaml (one Spectral run) and with
// Redocly's recommended-strict rules (redocly.yaml), checks file names against servers and
// info.version, and applies the version rules against the released baseline. Fails on any error.
import path from 'node:path';
import { listContractFiles, PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { checkContractNames } from './naming.js';
import { runRedocly } from './redocly.js';
import { runSpectral, type Finding } from './spectral.js';
import { assessContracts } from './version-rules.js';

const rootDir = PROJECT_ROOT;

function relative(file: string): string {
  return path.relative(rootDir, file).split(path.sep).join('/');
}

async function main(): Promise<number> {
  const started = performance.now();
  const contracts = await listContractFiles(rootDir);
  const files = contracts.map((c) => path.join(rootDir, c.file));
  const [naming, spectral, redocly, versions] = await Promise.all([
    checkContractNames(rootDir),
    runSpectral(files, { rootDir }),
    runRedocly(files, rootDir),
    assessContracts(rootDir),
  ]);
  const findings = [...spectral, ...redocly];

  const bySource = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = relative(finding.source);
    bySource.set(key, [...(bySource.get(key) ?? []), finding]);
  }
  for (const [file, list] of [...bySource].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(file);
    for (const f of list.sort((a, b) => a.line - b.line)) {
      console.log(
        `  ${`${f.line}:${f.column}`.padEnd(8)} ${f.severity.padEnd(8)} ${f.code.padEnd(36)} ${f.message}  (${f.path.join('.')})`,
      );
    }
  }
  for (const problem of naming) console.log(`${problem.file}\n  error    contract-name  ${problem.message}`);
  const versionProblems = versions.flatMap((v) => v.problems.map((message) => ({ file: v.file, message })));
  for (const problem of versionProblems) console.log(`${problem.file}\n  error    contract-version  ${problem.message}`);
  const pending = versions.filter((v) => v.state !== 'unchanged' && v.problems.length === 0);
  if (pending.length > 0)
    console.log(
      `\nChanged since the released baseline (release with npm run contracts:release): ${pending.map((v) => `${v.file} ${v.version ?? '(removed)'}`).join(', ')}`,
    );

  const count = (severity: Finding['severity']) => findings.filter((f) => f.severity === severity).length;
  const errors = count('error') + naming.length + versionProblems.length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\n${contracts.length} contracts: ${errors} errors, ${count('warning')} warnings, ${count('info')} infos (${seconds}s)`);
  return errors > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
