// npm run fuzz -- [--runs N] [--seed S]: the contract fuzzing test with more runs per operation
// than `npm test` gives it (FUZZ_RUNS, default 2 there; 50 here).
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '50' }, seed: { type: 'string' } } });
if (!/^[1-9][0-9]{0,5}$/.test(values.runs)) {
  console.error('--runs must be a positive integer');
  process.exit(2);
}
const env = { ...process.env, FUZZ_RUNS: values.runs, ...(values.seed ? { FUZZ_SEED: values.seed } : {}) };
const result = spawnSync('npx', ['vitest', 'run', 'test/contracts/fuzz.test.ts', '--testTimeout', '0'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
