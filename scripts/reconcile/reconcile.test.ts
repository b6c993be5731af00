// `npm run reconcile` spawned against a running layer (its embedded sandboxes found through
// <VAR_DIR>/sandboxes.json, its store shared) with a fake check: the pass is stored where the layer's
// operations API reads it, the safe repair starts, the summary shows it; a pass already running
// makes the command say so and exit 1; bad usage exits 2.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { loadConfig } from '../../core/config/index.js';
import { start, type RunningGateway } from '../../gateway/server.js';
import { claimPassLease, releasePassLease } from '../../process-apis/reconciliation/lease.js';
import { testEngines } from '../../test/support/stores.js';

// One layer per file: PostgreSQL where the environment provides it, else the embedded SQLite.
const engine = testEngines().at(-1)!;

function reconcile(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test', 'support', 'reconcile-command.ts'), ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe(`npm run reconcile against a running layer (${engine.name})`, () => {
  let dir: string;
  let gateway: RunningGateway;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reconcile-command-'));
    env = { VAR_DIR: dir, DATABASE_URL: await engine.freshUrl() };
    gateway = await start(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', ...env }));
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await engine.cleanup();
  });

  it('compares, repairs the safe finding, stores the pass for the layer and prints the summary', async () => {
    const run = await reconcile(env, ['--repair']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.find((l) => l.trimStart().startsWith('fake-won-deals'))).toMatch(
      /^\s+fake-won-deals\s+opportunity-to-project\s+40\s+1\s+1\s+0\s+1\s+\d+(\.\d+)? m?s\s+ok$/,
    );
    expect(run.stdout).toMatch(/failed-provisioning\s+won-deal-without-project\s+1\s+12345\.00 EUR/);
    const reconciliation = gateway.layers.processApis.reconciliation;
    const [pass] = (await reconciliation.listPasses({})).items;
    expect(pass).toMatchObject({ trigger: 'command', status: 'completed', repair: true, opened: 1, repairsStarted: 1 });
    expect(run.stdout).toContain(`Reconciliation pass ${pass.id}: completed`);
    const [exception] = (await reconciliation.listExceptions({ status: 'repairing' })).items;
    expect(exception).toMatchObject({ type: 'won-deal-without-project', resolvedBy: 'reconcile-command' });
  });

  it('says another pass is running and exits 1, and exits 2 on bad usage', async () => {
    const db = gateway.layers.infra.store.db;
    const held = await claimPassLease(db, { holder: 'another-replica', passId: '01a216af-0000-7000-8000-00000000c0de' }, 600_000);
    expect(held).toBeDefined();
    try {
      const busy = await reconcile(env, []);
      expect(busy.code).toBe(1);
      expect(busy.stdout).toContain('Another reconciliation pass is running');
    } finally {
      await releasePassLease(db, held!.lease);
    }
    const bad = await reconcile(env, ['--journey', 'nowhere']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('Unknown journey "nowhere"');
  });
});
