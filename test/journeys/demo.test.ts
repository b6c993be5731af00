// `npm run demo` against a real running layer: the gateway started in-process (start() on
// port 0, a temporary VAR_DIR, its development key) in front of the four sandboxes, whose
// CRM and ERP webhooks reach the gateway's /webhooks. The demo's main() must tell the whole
// story and end with the CRM showing the invoice paid.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/index.js';
import { start, type RunningGateway } from '../../gateway/server.js';
import { startSandboxes, type RunningSandboxes } from '../../sandboxes/index.js';
import { main } from '../../scripts/demo.js';
import { workDays } from '../../scripts/demo/story.js';
import { testEngines } from '../support/stores.js';

describe('the demo\'s work dates', () => {
  it('are Monday and Tuesday of last week, moved into the rate card\'s year when the clock is outside it', () => {
    const card = { effectiveFrom: '2026-01-01', effectiveTo: '2026-12-31' };
    expect(workDays(card, new Date('2026-11-26T10:00:00Z'))).toEqual(['2026-11-16', '2026-11-17']);
    expect(workDays(card, new Date('2027-03-10T10:00:00Z'))).toEqual(['2026-12-28', '2026-12-29']);
    expect(workDays(card, new Date('2025-05-01T10:00:00Z'))).toEqual(['2026-01-05', '2026-01-06']);
    expect(workDays({ effectiveFrom: '2020-01-01', effectiveTo: null }, new Date('2026-11-23T00:00:00Z'))).toEqual(['2026-11-16', '2026-11-17']);
  });
});

for (const engine of testEngines()) {
  describe(`npm run demo (${engine.name})`, () => {
    let dir: string;
    let sandboxes: RunningSandboxes;
    let gateway: RunningGateway;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'demo-'));
      sandboxes = await startSandboxes({ host: '127.0.0.1' });
      const u = sandboxes.urls;
      env = {
        NODE_ENV: 'test', LOG_LEVEL: 'silent', VAR_DIR: dir, PORT: '0', DATABASE_URL: await engine.freshUrl(),
        CRM_BASE_URL: u.crm, SCHEDULING_BASE_URL: u.scheduling, TIME_BASE_URL: u.time, ERP_BASE_URL: u.erp,
      };
      const config = loadConfig(env);
      gateway = await start(config);
      // As the composition root does for embedded sandboxes (gateway/compose.ts): signed webhooks reach the inbox.
      sandboxes.subscribe('crm', { url: `${gateway.url}/webhooks/crm`, secret: config.platforms.crm.webhookSecret });
      sandboxes.subscribe('erp', { url: `${gateway.url}/webhooks/erp`, secret: config.platforms.erp.webhookSecret });
      sandboxes.subscribe('scheduling', { url: `${gateway.url}/webhooks/scheduling`, secret: config.platforms.scheduling.webhookSecret });
    }, 60_000);

    afterAll(async () => {
      await gateway?.close();
      await sandboxes?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('walks from the won deal to the CRM showing it paid, printing every step and a summary', async () => {
      const lines: string[] = [];
      const u = sandboxes.urls;
      const { code, result } = await main(
        ['--url', gateway.url, '--crm-sandbox', u.crm!, '--scheduling-sandbox', u.scheduling!, '--time-sandbox', u.time!, '--erp-sandbox', u.erp!],
        { NODE_ENV: 'test', LOG_LEVEL: 'silent', VAR_DIR: dir },
        (line) => lines.push(line),
      );
      const output = lines.join('\n');
      expect(code, output).toBe(0);
      expect(result!.ok).toBe(true);
      expect(result!.log.steps.map((s) => s.step)).toEqual([
        'opportunity won', 'CRM finds it in the layer', 'create project (CRM waits)', 'project created in ERP', 'staffing requested',
        'consultant assigned', 'time logged and approved', 'time-to-billing run', 'invoice posted in ERP', 'payment received',
        'billing status back to CRM', 'CRM account shows it paid',
      ]);
      expect(output).toMatch(/result\s+step/);

      // The layer's own record agrees: the opportunity and the account show the invoice paid.
      const crm = gateway.services.crmSystem;
      expect((await crm.getOpportunity(result!.opportunityId!)).billing).toEqual({ status: 'paid', invoiceStatus: 'paid' });
      const invoice = await gateway.services.erpSystem.getInvoice(result!.invoiceId!);
      expect(invoice.status).toBe('paid');
      expect(invoice.amountOutstanding.amountMinor).toBe(0);
      // 16 hours of consultant time on one invoice (two entries, 960 minutes).
      expect(invoice.lines.reduce((sum, l) => sum + l.sources.length, 0)).toBe(2);
    }, 180_000);

    it('stops at the first failing step, prints it with the problem and the summary, and exits 1', async () => {
      const u = sandboxes.urls;
      await fetch(`${u.crm}/_sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outageUntil: new Date(Date.now() + 60_000).toISOString() }) });
      const lines: string[] = [];
      try {
        const { code, result } = await main(
          ['--url', gateway.url, '--crm-sandbox', u.crm!, '--scheduling-sandbox', u.scheduling!, '--time-sandbox', u.time!, '--erp-sandbox', u.erp!, '--wait-seconds', '5'],
          { NODE_ENV: 'test', LOG_LEVEL: 'silent', VAR_DIR: dir },
          (line) => lines.push(line),
        );
        expect(code).toBe(1);
        expect(result!.log.steps).toEqual([expect.objectContaining({ step: 'opportunity won', ok: false, outcome: expect.stringMatching(/answered 503/) })]);
        const output = lines.join('\n');
        expect(output).toMatch(/✘ opportunity won/);
        expect(output).toMatch(/1\s+FAIL\s+opportunity won/);
        expect(output).toMatch(/The story stopped/);
      } finally {
        await fetch(`${u.crm}/_sandbox/faults`, { method: 'DELETE' });
      }
    }, 60_000);

    it('exits 2 naming the sandboxes it cannot find, and 1 when no layer answers', async () => {
      const lines: string[] = [];
      const missing = await main(['--url', gateway.url], { NODE_ENV: 'test', VAR_DIR: dir }, (l) => lines.push(l));
      expect(missing.code).toBe(2);
      expect(lines.join('\n')).toMatch(/missing crm, scheduling, time, erp/);
      const u = sandboxes.urls;
      const down = await main(['--url', 'http://127.0.0.1:9', '--crm-sandbox', u.crm!, '--scheduling-sandbox', u.scheduling!, '--time-sandbox', u.time!, '--erp-sandbox', u.erp!], { NODE_ENV: 'test', VAR_DIR: dir }, (l) => lines.push(l));
      expect(down.code).toBe(1);
      expect(lines.join('\n')).toMatch(/No layer answers at http:\/\/127\.0\.0\.1:9/);
    }, 30_000);
  });
}
