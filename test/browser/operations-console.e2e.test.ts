// The operations console end to end, against the whole layer as `npm start` runs it (start() on
// port 0, its four embedded sandboxes, a temporary VAR_DIR and its development key): ERP refuses
// new projects (a fault injected on its sandbox), a deal is won on the CRM, provisioning fails;
// the operator signs in, finds the failed provisioning, clears the fault, fixes it from the page
// from its failed-provisioning view and sees it clear; the executive page shows what the API
// computed. Skips without Chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../core/config/index.js';
import { signDevToken } from '../../gateway/auth/dev-keys.js';
import { readSandboxesFile } from '../../gateway/sandboxes-file.js';
import { start, type RunningGateway } from '../../gateway/server.js';
import { OPERATIONS_VIEW_PATH } from '../../experience-apis/operations/view-route.js';
import { winDeal, type SandboxUrls } from '../../scripts/demo/people.js';
import { testEngines } from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';
import { wholeLayerConfig } from '../support/whole-layer.js';
import { haveChromium, launchChromium, warnIfNoChromium } from './support/chromium.js';

warnIfNoChromium();

const OPS = '/experience/operations/v1';
// The NetSuite-shaped sandbox's project records; faults there leave the client step untouched.
const ERP_PROJECTS = '/services/rest/record/v1/job';

describe.skipIf(!haveChromium)('operations console end to end (whole layer, SQLite)', () => {
  const engine = testEngines()[0];
  let dir: string;
  let config: Config;
  let gateway: RunningGateway;
  let urls: SandboxUrls;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let operatorToken: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-e2e-'));
    // The executive page needs a computation of the figures to show.
    config = wholeLayerConfig(dir, await engine.freshUrl(), { BUSINESS_FIGURES_EVERY_MS: '2000' });
    gateway = await start(config);
    urls = readSandboxesFile(dir) as unknown as SandboxUrls;
    operatorToken = await signDevToken(config, {
      scope: 'ops:read ops:write',
      sub: 'alice.operator@firm.example',
      claims: { client_id: 'ops-console' },
    });
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await engine.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function ops<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const res = await fetch(`${gateway.url}${OPS}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${operatorToken}`, ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  }
  const erpFaults = async (method: 'PUT' | 'DELETE', body?: Record<string, unknown>) => {
    const res = await fetch(`${urls.erp}/_sandbox/faults`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    expect(res.ok).toBe(true);
  };
  /** Starts reconciliation pass number `n` over the journey and opens the failed-provisioning view. */
  async function passThenView(page: Page, n: number): Promise<void> {
    const pass = await ops('/reconciliation/passes', {
      method: 'POST',
      headers: { 'Idempotency-Key': `"console-e2e-pass-${n}"` },
      body: JSON.stringify({ journey: 'opportunity-to-project' }),
    });
    expect(pass.status).toBe(202);
    await page.goto(`${gateway.url}${OPERATIONS_VIEW_PATH}#/views/failed-provisioning`);
  }
  type Run = { id: string; runKey: string; state: string; workflow: string; currentStep: string | null };

  it('shows a provisioning that ERP refused, and clears it once the operator fixes it from the page', async () => {
    await erpFaults('PUT', { errorRate: 1, errorStatus: 400, paths: ERP_PROJECTS });
    const deal = await winDeal(urls, {
      name: 'Console check: provisioning refused by ERP',
      startDate: '2026-12-01',
      endDate: '2027-03-31',
      amount: 48_000,
    });
    const failed = await waitFor(
      async () =>
        (await ops<{ items: Run[] }>('/runs?state=failed&journey=opportunity-to-project')).body.items.find(
          (r) => r.workflow === 'opportunity-to-project',
        ) as Run,
      { what: 'the provisioning run to fail on the ERP project step', timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(failed.currentStep).toMatch(/project/);

    const page: Page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${gateway.url}${OPERATIONS_VIEW_PATH}`);
    await page.fill('#token', operatorToken);
    await page.click('#sign-in-button');
    // The overview counts it from the layer's own runs.
    const failedFigure = page.locator('.figure', { hasText: 'Failed provisioning' }).locator('.figure-value');
    await failedFigure.waitFor();
    await expect(failedFigure.textContent()).resolves.toBe('1');

    // A read-only operator sees the same failure and no button to act on it.
    const viewer = await browser.context.newPage();
    const viewerToken = await signDevToken(config, {
      scope: 'ops:read',
      sub: 'viewer@firm.example',
      claims: { client_id: 'ops-dashboard' },
    });
    await viewer.goto(`${gateway.url}${OPERATIONS_VIEW_PATH}#/runs`);
    await viewer.fill('#token', viewerToken);
    await viewer.click('#sign-in-button');
    await viewer.locator(`#failed-runs tr[data-run-id="${failed.id}"]`).waitFor();
    await expect(viewer.locator('button[data-action]').count()).resolves.toBe(0);
    await viewer.close();

    const views = await ops('/reconciliation/exceptions?question=failed-provisioning');
    expect(views.status, 'the layer serves the business views').toBe(200);
    await passThenView(page, 1);
    const row = page.locator('#exceptions tr[data-exception-id]', { hasText: deal.name });
    await waitFor(
      async () => {
        await page.click('#refresh');
        return row.count();
      },
      { what: 'the failed provisioning in its view', timeoutMs: 60_000, intervalMs: 500 },
    );
    await row.locator('a.exception-link').click();
    await page.locator('#exception-facts').waitFor();
    await erpFaults('DELETE');
    const fix = page.locator('button[data-action="repair"], button[data-action="retry"]').first();
    await fix.click();
    await page.locator('#status.ok').waitFor();
    // The run is done: ERP has the project, and the console no longer lists the failure.
    await waitFor(async () => (await ops<{ state: string }>(`/runs/${failed.id}`)).body.state, {
      until: (state) => state === 'completed',
      what: 'the provisioning run to complete after the fix',
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    const summary = await ops<{ failedProvisioning: number }>('/summary');
    expect(summary.body.failedProvisioning).toBe(0);
    // The next pass no longer finds it: it leaves the failed-provisioning view.
    await passThenView(page, 2);
    await waitFor(
      async () => {
        await page.click('#refresh');
        await page.locator('#exceptions').waitFor();
        return page.locator('#exceptions tr[data-exception-id]', { hasText: deal.name }).count();
      },
      { until: (n) => n === 0, what: 'the failed provisioning to leave its view', timeoutMs: 60_000, intervalMs: 500 },
    );

    // The executive page shows what the API computed, figure by figure.
    const executive = await waitFor(() => ops<{ figures: Array<{ name: string; title: string }> }>('/executive-figures'), {
      until: (answer) => answer.status !== 200 || answer.body.figures.length > 0,
      what: 'the first computation of the executive figures',
    });
    expect(executive.status, 'the layer serves the executive figures').toBe(200);
    await page.goto(`${gateway.url}${OPERATIONS_VIEW_PATH}#/executive`);
    await page.locator('#page-title', { hasText: 'Executive figures' }).waitFor();
    const shown = await page
      .locator('.executive-figure')
      .evaluateAll((cards) => cards.map((c) => [c.getAttribute('data-figure'), c.querySelector('h2')?.textContent]));
    expect(shown, 'the figures the API computed, in its order').toEqual(executive.body.figures.map((f) => [f.name, f.title]));
    expect(problems).toEqual([]);
  }, 180_000);
});
