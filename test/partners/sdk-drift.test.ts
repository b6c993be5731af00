// The generated SDK is checked like the generated types: `npm run check:generated` passes on the
// tree as committed and fails, naming the file, on a scratch copy whose contract changed, whose
// SDK file is missing, or that holds an SDK file with no contract.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';

const run = promisify(execFile);
const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const GENERATE = join(PROJECT_ROOT, 'scripts', 'contracts', 'generate.ts');

async function check(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(TSX, [GENERATE, '--check', ...args], { cwd: PROJECT_ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('npm run check:generated and the SDK', () => {
  let scratch: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'sdk-drift-'));
    cpSync(join(PROJECT_ROOT, 'openapi'), join(scratch, 'openapi'), { recursive: true });
    cpSync(join(PROJECT_ROOT, 'generated'), join(scratch, 'generated'), { recursive: true });
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('passes on the committed tree, types and SDK both', async () => {
    const result = await check([]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/^(1[7-9]|[2-9][0-9]) generated files match their contracts\./m);
  });

  it('fails on a scratch copy whose contract renamed an operation, naming the SDK file', async () => {
    const file = join(scratch, 'openapi', 'experience', 'portal.v1.yaml');
    const contract = readFileSync(file, 'utf8');
    expect(contract).toContain('operationId: listPayments');
    writeFileSync(file, contract.replace('operationId: listPayments', 'operationId: listMyPayments'));
    const result = await check(['--sdk', '--root', scratch]);
    expect(result.code).toBe(1);
    expect(result.output).toContain('generated/sdk/portal.v1.ts differs from what openapi/experience/portal.v1.yaml generates');
    writeFileSync(file, contract);
    expect((await check(['--sdk', '--root', scratch])).code).toBe(0);
  });

  it('fails when an SDK file is missing or has no contract', async () => {
    rmSync(join(scratch, 'generated', 'sdk', 'crm.v1.ts'));
    writeFileSync(join(scratch, 'generated', 'sdk', 'billing.v1.ts'), '// left over\n');
    const result = await check(['--sdk', '--root', scratch]);
    expect(result.code).toBe(1);
    expect(result.output).toContain('generated/sdk/crm.v1.ts is missing');
    expect(result.output).toContain('generated/sdk/billing.v1.ts has no contract');
  });
});
