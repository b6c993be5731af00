// `npm run check:platforms` as a real process against the four sandboxes: every platform passes
// with the development credentials; a wrong secret or key, a closed port and a refused permission
// each get their own verdict and a non-zero exit; and no run writes a record anywhere.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeSandboxesFile } from '../../gateway/sandboxes-file.js';
import { startSandboxes, type RunningSandboxes } from '../../sandboxes/index.js';
import type { SandboxPlatform } from '../../sandboxes/kit/index.js';

const run = promisify(execFile);

interface Report {
  passed: boolean;
  source: string;
  platforms: Array<{
    platform: SandboxPlatform;
    passed: boolean;
    login: { outcome: string; message: string };
    reads: Array<{ name: string; outcome: string; message: string }>;
    budget: { source: string; limit?: number; remaining?: number; summary: string };
  }>;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

let sandboxes: RunningSandboxes;
let varDir: string;

/** Runs the command in a child process with only the variables given (plus PATH), as an operator would. */
async function checkPlatforms(env: Record<string, string>, args: string[] = []): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/check-platforms/main.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', VAR_DIR: varDir, ...env },
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const baseUrls = (): Record<string, string> => ({
  CRM_BASE_URL: sandboxes.urls.crm!,
  ERP_BASE_URL: sandboxes.urls.erp!,
  SCHEDULING_BASE_URL: sandboxes.urls.scheduling!,
  TIME_BASE_URL: sandboxes.urls.time!,
});

const platformOf = (report: Report, platform: SandboxPlatform) => report.platforms.find((p) => p.platform === platform)!;

/** Every record the four sandboxes hold, serialised: equal before and after means nothing was written. */
function records(): string {
  const state = (p: SandboxPlatform) => sandboxes.sandboxes[p]!.sandbox.ctx.state() as Record<string, unknown>;
  const crm = state('crm');
  const erp = state('erp');
  const scheduling = state('scheduling');
  const time = state('time');
  const held = {
    crm: crm.records,
    erp: erp.records,
    scheduling: [scheduling.people, scheduling.projects, scheduling.tasks],
    // The time sandbox bumps its version on every change; expenses, projects and clients are plain arrays.
    time: [time.version, time.expenses, time.projects, time.clients],
  };
  return JSON.stringify(held, (_key, value: unknown) =>
    value instanceof Map ? [...value.entries()] : value instanceof Set ? [...value] : value,
  );
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  varDir = mkdtempSync(join(tmpdir(), 'ps-layer-check-platforms-'));
  // The same start as `npm run sandbox -- all`: the four sandboxes with their seeded credentials.
  sandboxes = await startSandboxes({ host: '127.0.0.1' });
});

afterAll(async () => {
  await sandboxes?.close();
  rmSync(varDir, { recursive: true, force: true });
});

beforeEach(() => {
  for (const p of ['crm', 'erp', 'scheduling', 'time'] as const) sandboxes.sandboxes[p]!.sandbox.ctx.faults.clear();
});

describe('npm run check:platforms against the sandboxes', { timeout: 120_000 }, () => {
  it('passes every platform with the development credentials, reports the rate budgets and writes nothing', async () => {
    const before = records();
    // No base URL set: the command finds the sandboxes of a layer running on this machine.
    const removeFile = writeSandboxesFile(varDir, sandboxes.urls, 'http://127.0.0.1:9');
    let outcome: Outcome;
    try {
      outcome = await checkPlatforms({}, ['--json']);
    } finally {
      removeFile();
    }
    expect(outcome.code, `exit code (stderr: ${outcome.stderr})`).toBe(0);
    const report = JSON.parse(outcome.stdout) as Report;
    expect(report.source, 'where the URLs came from').toContain('sandboxes.json');
    expect(report.platforms.map((p) => p.platform).sort(), 'platforms checked').toEqual(['crm', 'erp', 'scheduling', 'time']);
    for (const p of report.platforms) {
      expect({ platform: p.platform, login: p.login.outcome }, 'login').toEqual({ platform: p.platform, login: 'ok' });
      for (const read of p.reads)
        expect({ platform: p.platform, read: read.name, outcome: read.outcome }, 'read').toMatchObject({ outcome: 'ok' });
    }
    expect(
      platformOf(report, 'crm').reads.map((r) => r.name),
      'CRM reads',
    ).toEqual(['Account (SOQL)', 'Contact (SOQL, Account.External_Id__c)', 'Opportunity (SOQL, Account.External_Id__c)']);
    expect(
      platformOf(report, 'erp').reads.map((r) => r.name),
      'ERP reads',
    ).toEqual(
      expect.arrayContaining(['customer (record)', 'job (record)', 'invoice (record)', 'transaction (SuiteQL)', 'currency (SuiteQL)']),
    );
    const crmBudget = platformOf(report, 'crm').budget;
    expect(crmBudget.source, 'Salesforce budget source').toBe('Sforce-Limit-Info');
    expect(crmBudget.remaining, 'Salesforce daily requests left').toBeLessThan(crmBudget.limit!);
    const floatBudget = platformOf(report, 'scheduling').budget;
    expect(floatBudget.source, 'Float budget source').toBe('X-RateLimit-*');
    expect(floatBudget.remaining, 'Float requests left this minute').toBeLessThan(floatBudget.limit!);
    expect(platformOf(report, 'time').budget.source, 'Harvest reports no remaining count').toBe('Harvest documentation');
    expect(platformOf(report, 'erp').budget.summary, 'NetSuite is concurrency-governed').toMatch(/concurrency/);
    expect(records(), 'records on the sandboxes after the check').toBe(before);
  });

  it('names wrong credentials for the platform whose secret is wrong, passes the others and exits non-zero', async () => {
    const before = records();
    const outcome = await checkPlatforms({ ...baseUrls(), CRM_CLIENT_SECRET: 'not-the-secret', LOG_LEVEL: 'warn' }, ['--json']);
    expect(outcome.code, 'exit code').toBe(1);
    expect(outcome.stderr, 'the failure is logged (stderr, JSON)').toMatch(/"platform":"crm".*"outcome":"wrong-credentials"/);
    expect(outcome.stdout + outcome.stderr, 'the secret is never printed').not.toContain('not-the-secret');
    const report = JSON.parse(outcome.stdout) as Report;
    const crm = platformOf(report, 'crm');
    expect(crm.login.outcome, 'CRM login').toBe('wrong-credentials');
    expect(crm.login.message, 'CRM login message').toMatch(/invalid_client/);
    expect(
      crm.reads.every((r) => r.outcome === 'skipped'),
      'CRM reads are not tried after a failed login',
    ).toBe(true);
    for (const p of ['erp', 'scheduling', 'time'] as const) expect(platformOf(report, p).passed, `${p} still passes`).toBe(true);
    expect(records(), 'records on the sandboxes after the check').toBe(before);
  });

  it('tells an unreachable host, a refused permission and a certificate NetSuite does not know apart, in the table', async () => {
    const before = records();
    // Float refuses the allocations to this token, as it does for a role without access to them.
    sandboxes.sandboxes.scheduling!.sandbox.ctx.faults.set({ errorRate: 1, errorStatus: 403, paths: '/v3/tasks' });
    const outcome = await checkPlatforms({
      ...baseUrls(),
      TIME_BASE_URL: `http://127.0.0.1:${await closedPort()}`,
      ERP_CERTIFICATE_ID: 'certificate-not-uploaded',
    });
    expect(outcome.code, 'exit code').toBe(1);
    const lines = outcome.stdout.split('\n');
    const line = (start: RegExp, name: string) => {
      const from = lines.findIndex((l) => start.test(l));
      return lines.slice(from).find((l) => l.trimStart().startsWith(name)) ?? '';
    };
    expect(line(/^Harvest \(time\).*FAIL$/, 'login'), 'Harvest login line').toMatch(/unreachable .*ECONNREFUSED/);
    expect(line(/^Float \(scheduling\).*FAIL$/, 'tasks'), 'Float tasks line').toMatch(/missing permission .*403/);
    expect(line(/^Float \(scheduling\)/, 'people'), 'Float people line').toMatch(/\bok\b/);
    expect(line(/^NetSuite \(erp\).*FAIL$/, 'login'), 'NetSuite login line').toMatch(/wrong credentials .*invalid_client/);
    expect(line(/^Salesforce \(crm\).*PASS$/, 'login'), 'Salesforce login line').toMatch(/\bok\b/);
    expect(outcome.stdout, 'summary').toMatch(/^Failed: erp, scheduling, time\.$/m);
    expect(records(), 'records on the sandboxes after the check').toBe(before);
  });

  it('says there is nothing to check when no platform is configured and no layer runs', async () => {
    const outcome = await checkPlatforms({});
    expect(outcome.code, 'exit code').toBe(2);
    expect(outcome.stderr, 'message').toMatch(/No platform to check: set CRM_BASE_URL/);
  });
});
