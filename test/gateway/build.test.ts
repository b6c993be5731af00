// The production build: `npm run build` compiles the layer to JavaScript with source maps, and the
// compiled gateway starts on the embedded defaults, answers an authenticated call, and stops cleanly.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../core/project-root.js';

// Inside the project (var/ is ignored), so the compiled code finds the project's files as dist/ does.
const outDir = join(PROJECT_ROOT, 'var', `build-test-${process.pid}`);
const varDir = mkdtempSync(join(tmpdir(), 'ps-layer-build-'));
const env = { ...process.env, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: '0', VAR_DIR: varDir, LOG_LEVEL: 'warn' };
let gateway: ChildProcess | undefined;
let url = '';
let output = '';

describe('the compiled build', () => {
  beforeAll(async () => {
    const tsc = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc');
    const built = spawnSync(tsc, ['-p', 'tsconfig.build.json', '--outDir', outDir, '--tsBuildInfoFile', join(outDir, '.tsbuildinfo')], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(built.status, `tsc: ${built.stdout}${built.stderr}`).toBe(0);
    gateway = spawn(process.execPath, ['--enable-source-maps', join(outDir, 'gateway', 'main.js')], { cwd: PROJECT_ROOT, env });
    gateway.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    url = await new Promise<string>((resolve, reject) => {
      gateway!.stdout!.on('data', (d: Buffer) => {
        output += d.toString();
        const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (found) resolve(found[1]!);
      });
      gateway!.once('exit', (code) => reject(new Error(`the compiled gateway exited with ${code}: ${output.slice(-1000)}`)));
    });
  }, 240_000);

  afterAll(async () => {
    if (gateway && gateway.exitCode === null) {
      gateway.kill('SIGKILL');
      await new Promise((r) => gateway!.once('exit', r));
    }
    rmSync(outDir, { recursive: true, force: true });
    rmSync(varDir, { recursive: true, force: true });
  });

  it('starts from dist, serves an authenticated call with a token from the compiled token script, and stops on SIGTERM', async () => {
    expect((await fetch(`${url}/readyz`)).status, 'readiness').toBe(200);
    const token = spawnSync(process.execPath, [join(outDir, 'scripts', 'token.js'), '--scope', 'crm:read'], {
      cwd: PROJECT_ROOT,
      env,
      encoding: 'utf8',
    });
    expect(token.status, token.stderr).toBe(0);
    const res = await fetch(`${url}/system/crm/v1/clients?limit=1`, { headers: { authorization: `Bearer ${token.stdout.trim()}` } });
    expect(res.status, 'CRM clients through the compiled layer').toBe(200);
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1);
    gateway!.kill('SIGTERM');
    const code = await new Promise((r) => gateway!.once('exit', r));
    expect(code, `exit code after SIGTERM; output: ${output.slice(-500)}`).toBe(0);
  }, 60_000);
});
