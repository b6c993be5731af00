// The production build: `npm run build` compiles the layer to JavaScript with source maps and bundles
// the contracts and the operations console beside it; the compiled gateway serves those bundles,
// starts on the embedded defaults, refuses invalid requests to every API, answers an authenticated
// call, and stops cleanly.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../core/contracts/catalogue.js';
import { PROJECT_ROOT } from '../../core/project-root.js';
import { allScopes } from '../../gateway/example.js';
import { invalidRequestSample } from '../support/invalid-requests.js';

// Inside the project (var/ is ignored), so the compiled code finds the project's files as dist/ does.
const outDir = join(PROJECT_ROOT, 'var', `build-test-${process.pid}`);
const varDir = mkdtempSync(join(tmpdir(), 'ps-layer-build-'));
const env = { ...process.env, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: '0', VAR_DIR: varDir, LOG_LEVEL: 'warn' };
// Written into the build's bundle only, so that the served title shows which the gateway read.
const MARK = ' (from the build)';
let gateway: ChildProcess | undefined;
let url = '';
let output = '';

const compiledToken = (scope: string): string => {
  const minted = spawnSync(process.execPath, [join(outDir, 'scripts', 'token.js'), '--scope', scope], {
    cwd: PROJECT_ROOT,
    env,
    encoding: 'utf8',
  });
  expect(minted.status, minted.stderr).toBe(0);
  return minted.stdout.trim();
};

describe('the compiled build', () => {
  beforeAll(async () => {
    const tsc = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc');
    const built = spawnSync(tsc, ['-p', 'tsconfig.build.json', '--outDir', outDir, '--tsBuildInfoFile', join(outDir, '.tsbuildinfo')], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(built.status, `tsc: ${built.stdout}${built.stderr}`).toBe(0);
    // The second step of npm run build, run from the compiled tree it writes into.
    const bundled = spawnSync(process.execPath, [join(outDir, 'scripts', 'contracts', 'bundle-catalogue.js')], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(bundled.status, `bundle-catalogue: ${bundled.stdout}${bundled.stderr}`).toBe(0);
    const bundleFile = join(outDir, 'contract-catalogue.json');
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as { contracts: Array<{ bundled: { info: { title: string } } }> };
    for (const contract of bundle.contracts) contract.bundled.info.title += MARK;
    writeFileSync(bundleFile, JSON.stringify(bundle));
    // The last step: the operations console, bundled beside the module that serves it.
    const consoleBuilt = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), [join('scripts', 'build-console.ts'), outDir], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(consoleBuilt.status, `build-console: ${consoleBuilt.stdout}${consoleBuilt.stderr}`).toBe(0);

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

  it('serves the contracts bundled at build time', async () => {
    const specs = (await (await fetch(`${url}/specs`)).json()) as { apis: Array<{ name: string; title: string }> };
    const sources = await loadCatalogue();
    expect(specs.apis.length, 'contracts served').toBe(sources.length);
    for (const api of specs.apis)
      expect(api.title, `${api.name}: its title as written in the build's bundle`).toMatch(/ \(from the build\)$/);
  });

  it('serves the operations console bundled at build time, with no source or bundler at hand', async () => {
    const shell = await (await fetch(`${url}/operations`)).text();
    const script = await fetch(`${url}/operations/assets/console.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const code = await script.text();
    expect(code).toBe(readFileSync(join(outDir, 'experience-apis', 'operations', 'console', 'assets', 'console.js'), 'utf8'));
    expect(shell).toContain('src="/operations/assets/console.js"');
  });

  it('refuses an invalid request to every API, each checked against its contract', { timeout: 120_000 }, async () => {
    const catalogue = await loadCatalogue();
    const jwt = compiledToken(allScopes(catalogue).join(' '));
    const sample = invalidRequestSample(catalogue);
    const served = catalogue.filter((c) => c.lifecycle !== 'retired');
    expect(new Set(sample.map((r) => r.contract)).size, 'contracts with invalid requests in the sample').toBe(served.length);
    for (const request of sample) {
      const res = await fetch(`${url}${request.url}`, {
        method: request.method,
        headers: { ...request.headers, authorization: `Bearer ${jwt}` },
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      const what = `${request.contract} ${request.operationId} (${request.method} ${request.url}, ${request.breaks})`;
      const problem = (await res.json()) as { errors?: Array<{ pointer: string }> };
      expect(res.status, `${what}: ${JSON.stringify(problem)}`).toBe(400);
      expect(
        problem.errors?.some((e) => e.pointer.includes(request.field)),
        `${what}: the validator names ${request.field} in ${JSON.stringify(problem.errors)}`,
      ).toBe(true);
    }
  });

  it('starts from dist, serves an authenticated call with a token from the compiled token script, and stops on SIGTERM', async () => {
    expect((await fetch(`${url}/readyz`)).status, 'readiness').toBe(200);
    const res = await fetch(`${url}/system/crm/v1/clients?limit=1`, { headers: { authorization: `Bearer ${compiledToken('crm:read')}` } });
    expect(res.status, 'CRM clients through the compiled layer').toBe(200);
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1);
    gateway!.kill('SIGTERM');
    const code = await new Promise((r) => gateway!.once('exit', r));
    expect(code, `exit code after SIGTERM; output: ${output.slice(-500)}`).toBe(0);
  }, 60_000);
});
