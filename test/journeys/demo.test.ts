// `npm run demo` against a real running layer as `npm start` runs it: the gateway started
// in-process (start() on port 0, a temporary VAR_DIR, its development key) with its four
// embedded sandboxes, whose webhooks reach the gateway's /webhooks. The demo's main() is given
// nothing but that VAR_DIR: it must find the layer in <VAR_DIR>/sandboxes.json, tell the whole
// story and end with the CRM showing the invoice paid.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/index.js';
import { readSandboxesFile, sandboxesFilePath, writeSandboxesFile } from '../../gateway/sandboxes-file.js';
import { start, type RunningGateway } from '../../gateway/server.js';
import type { SandboxUrls } from '../../scripts/demo/people.js';
import { demoTargets, main } from '../../scripts/demo.js';
import { workDays } from '../../scripts/demo/story.js';
import { testEngines } from '../support/stores.js';

describe("the demo's work dates", () => {
  it("are Monday and Tuesday of last week, moved into the rate card's year when the clock is outside it", () => {
    const card = { effectiveFrom: '2026-01-01', effectiveTo: '2026-12-31' };
    expect(workDays(card, new Date('2026-11-26T10:00:00Z'))).toEqual(['2026-11-16', '2026-11-17']);
    expect(workDays(card, new Date('2027-03-10T10:00:00Z'))).toEqual(['2026-12-28', '2026-12-29']);
    expect(workDays(card, new Date('2025-05-01T10:00:00Z'))).toEqual(['2026-01-05', '2026-01-06']);
    expect(workDays({ effectiveFrom: '2020-01-01', effectiveTo: null }, new Date('2026-11-23T00:00:00Z'))).toEqual([
      '2026-11-16',
      '2026-11-17',
    ]);
  });
});

describe('where the demo finds the layer and the sandboxes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'demo-targets-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = {
    crm: 'http://127.0.0.1:1001',
    scheduling: 'http://127.0.0.1:1002',
    time: 'http://127.0.0.1:1003',
    erp: 'http://127.0.0.1:1004',
  };

  it('takes every URL from sandboxes.json when nothing else names them, and flags, then DEMO_* variables, over it', () => {
    const remove = writeSandboxesFile(dir, file, 'http://127.0.0.1:1000');
    try {
      expect(demoTargets({}, {}, dir)).toMatchObject({ layerUrl: 'http://127.0.0.1:1000', urls: file, missing: [], layerFromFile: true });
      const over = demoTargets(
        { url: 'http://127.0.0.1:2000/', 'crm-sandbox': 'http://127.0.0.1:2001' },
        { DEMO_CRM_SANDBOX_URL: 'http://127.0.0.1:3001', DEMO_ERP_SANDBOX_URL: 'http://127.0.0.1:3004' },
        dir,
      );
      expect(over).toMatchObject({ layerUrl: 'http://127.0.0.1:2000', layerFromFile: false });
      expect(over.urls).toEqual({ ...file, crm: 'http://127.0.0.1:2001', erp: 'http://127.0.0.1:3004' });
      expect(demoTargets({}, { DEMO_LAYER_URL: 'http://127.0.0.1:4000' }, dir)).toMatchObject({
        layerUrl: 'http://127.0.0.1:4000',
        layerFromFile: false,
      });
    } finally {
      remove();
    }
    expect(existsSync(sandboxesFilePath(dir))).toBe(false);
    expect(demoTargets({}, {}, dir)).toMatchObject({
      layerUrl: 'http://127.0.0.1:8080',
      urls: undefined,
      missing: ['crm', 'scheduling', 'time', 'erp'],
      file: undefined,
    });
  });

  it('leaves a file another layer has written since, ignores values that are not URLs, and names a file that is not JSON', () => {
    const remove = writeSandboxesFile(dir, file, 'http://127.0.0.1:1000');
    writeFileSync(
      sandboxesFilePath(dir),
      JSON.stringify({ ...file, erp: 'ftp://x', gateway: 'http://127.0.0.1:5000', pid: process.pid + 1, secret: 'x' }),
    );
    remove();
    expect(readSandboxesFile(dir)).toEqual({
      crm: file.crm,
      scheduling: file.scheduling,
      time: file.time,
      gateway: 'http://127.0.0.1:5000',
      pid: process.pid + 1,
    });
    writeFileSync(sandboxesFilePath(dir), '{not json');
    expect(() => demoTargets({}, {}, dir)).toThrow(/sandboxes\.json is not JSON/);
    rmSync(sandboxesFilePath(dir));
  });

  it('says plainly that no layer is running when there is no file, and that it stopped when the file names a gateway that does not answer', async () => {
    const lines: string[] = [];
    const none = await main([], { NODE_ENV: 'test', VAR_DIR: dir }, (l) => lines.push(l));
    expect(none.code).toBe(1);
    expect(lines.join('\n')).toMatch(/No layer with embedded sandboxes is running on this VAR_DIR: .*sandboxes\.json does not exist/);
    expect(lines.join('\n')).toMatch(/npm start/);
    const remove = writeSandboxesFile(dir, file, 'http://127.0.0.1:9');
    try {
      const stale = await main([], { NODE_ENV: 'test', VAR_DIR: dir }, (l) => lines.push(l));
      expect(stale.code).toBe(1);
      expect(lines.join('\n')).toMatch(
        /No layer answers at http:\/\/127\.0\.0\.1:9 .*the gateway named in .*sandboxes\.json \(written by process \d+ at .*\): that layer has stopped/,
      );
    } finally {
      remove();
    }
    writeFileSync(sandboxesFilePath(dir), JSON.stringify({ crm: file.crm, gateway: 'http://127.0.0.1:9' }));
    const partial = await main([], { NODE_ENV: 'test', VAR_DIR: dir }, (l) => lines.push(l));
    expect(partial.code).toBe(2);
    expect(lines.join('\n')).toMatch(/missing scheduling, time, erp/);
    rmSync(sandboxesFilePath(dir));
  });
});

describe('sandboxes.json with a platform of its own', () => {
  it('lists only the sandboxes the layer talks to, and the demo then asks for the missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-own-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      VAR_DIR: dir,
      PORT: '0',
      SANDBOXES: 'embedded',
      SCHEDULING_BASE_URL: 'http://127.0.0.1:9',
    });
    const gateway = await start(config, { startJourneys: false });
    try {
      const file = readSandboxesFile(dir);
      expect(Object.keys(file ?? {}).sort()).toEqual(['crm', 'erp', 'gateway', 'pid', 'startedAt', 'time']);
      const lines: string[] = [];
      expect((await main([], { NODE_ENV: 'test', VAR_DIR: dir }, (l) => lines.push(l))).code).toBe(2);
      expect(lines.join('\n')).toMatch(/missing scheduling/);
    } finally {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

for (const engine of testEngines()) {
  describe(`npm run demo (${engine.name})`, () => {
    let dir: string;
    let gateway: RunningGateway;
    let u: SandboxUrls;
    const demoEnv = () => ({ NODE_ENV: 'test', LOG_LEVEL: 'silent', VAR_DIR: dir });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'demo-'));
      // As `npm start` runs it: no platform URL set, so the four sandboxes start embedded.
      const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', VAR_DIR: dir, PORT: '0', DATABASE_URL: await engine.freshUrl() });
      expect(config.platforms.embeddedSandboxes).toBe(true);
      gateway = await start(config);
      u = readSandboxesFile(dir) as unknown as SandboxUrls;
    }, 60_000);

    afterAll(async () => {
      await gateway?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('finds the layer through the sandboxes.json it writes: the gateway and the four sandboxes, and no credential', async () => {
      const text = readFileSync(sandboxesFilePath(dir), 'utf8');
      const file = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(file).sort()).toEqual(['crm', 'erp', 'gateway', 'pid', 'scheduling', 'startedAt', 'time']);
      expect(file.gateway).toBe(gateway.url);
      expect(file.pid).toBe(process.pid);
      for (const platform of ['crm', 'scheduling', 'time', 'erp'] as const) {
        const health = await fetch(`${file[platform] as string}/_sandbox/health`);
        expect(((await health.json()) as { platform: string }).platform).toBe(platform);
      }
      expect(text).not.toMatch(/secret|token|password|sandbox-/i);
    });

    it('walks from the won deal to the CRM showing it paid, printing every step and a summary', async () => {
      const lines: string[] = [];
      // Nothing but the VAR_DIR: the layer and the sandboxes come from sandboxes.json.
      const { code, result } = await main([], demoEnv(), (line) => lines.push(line));
      const output = lines.join('\n');
      expect(code, output).toBe(0);
      expect(output).toContain(`Layer ${gateway.url}; sandboxes crm ${u.crm}`);
      expect(result!.ok).toBe(true);
      expect(result!.log.steps.map((s) => s.step)).toEqual([
        'opportunity won',
        'CRM finds it in the layer',
        'create project (CRM waits)',
        'project created in ERP',
        'staffing requested',
        'consultant assigned',
        'time logged and approved',
        'time-to-billing run',
        'invoice posted in ERP',
        'payment received',
        'billing status back to CRM',
        'CRM account shows it paid',
      ]);
      expect(output).toMatch(/result\s+step/);

      // The layer's own record agrees: the opportunity and the account show the invoice paid.
      const crm = gateway.layers.systemApis.crm;
      expect((await crm.getOpportunity(result!.opportunityId!)).billing).toEqual({ status: 'paid', invoiceStatus: 'paid' });
      const invoice = await gateway.layers.systemApis.erp.getInvoice(result!.invoiceId!);
      expect(invoice.status).toBe('paid');
      expect(invoice.amountOutstanding.amountMinor).toBe(0);
      // 16 hours of consultant time on one invoice (two entries, 960 minutes).
      expect(invoice.lines.reduce((sum, l) => sum + l.sources.length, 0)).toBe(2);
    }, 180_000);

    it('stops at the first failing step, prints it with the problem and the summary, and exits 1', async () => {
      await fetch(`${u.crm}/_sandbox/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outageUntil: new Date(Date.now() + 60_000).toISOString() }),
      });
      const lines: string[] = [];
      try {
        const { code, result } = await main(['--wait-seconds', '5'], demoEnv(), (line) => lines.push(line));
        expect(code).toBe(1);
        expect(result!.log.steps).toEqual([
          expect.objectContaining({ step: 'opportunity won', ok: false, outcome: expect.stringMatching(/answered 503/) }),
        ]);
        const output = lines.join('\n');
        expect(output).toMatch(/✘ opportunity won/);
        expect(output).toMatch(/1\s+FAIL\s+opportunity won/);
        expect(output).toMatch(/The story stopped/);
      } finally {
        await fetch(`${u.crm}/_sandbox/faults`, { method: 'DELETE' });
      }
    }, 60_000);

    it('exits 1 when the layer named by --url does not answer, and 2 on bad usage', async () => {
      const lines: string[] = [];
      const down = await main(['--url', 'http://127.0.0.1:9'], demoEnv(), (l) => lines.push(l));
      expect(down.code).toBe(1);
      expect(lines.join('\n')).toMatch(/No layer answers at http:\/\/127\.0\.0\.1:9 .*start it with npm start, or pass --url/);
      expect((await main(['--no-such-flag'], demoEnv(), (l) => lines.push(l))).code).toBe(2);
    }, 30_000);

    it('removes sandboxes.json when the layer stops, and then says no layer is running', async () => {
      await gateway.close();
      expect(existsSync(sandboxesFilePath(dir))).toBe(false);
      const lines: string[] = [];
      const { code } = await main([], demoEnv(), (l) => lines.push(l));
      expect(code).toBe(1);
      expect(lines.join('\n')).toMatch(/No layer with embedded sandboxes is running on this VAR_DIR/);
    }, 30_000);
  });
}
