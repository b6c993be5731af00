// The operations console in headless Chromium against a stubbed operations API (answers typed by
// the contract): sign-in, the overview with its trend charts and the layer's alerts, the business views with filters,
// paging and actions, an exception's detail, the executive page, a read-only operator, and a
// keyboard-only path to a Repair button. The page is served by its real router with its real
// policy, so a script or style the policy refuses shows up as a console error and fails the test.
// (The README's pictures come from the live layer: test/e2e/five-views.test.ts, `npm run screenshots`.)
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPERATIONS_VIEW_PATH, operationsViewRouter } from '../../experience-apis/operations/view-route.js';
import { haveChromium, launchChromium, warnIfNoChromium } from './support/chromium.js';
import { consoleFixtures } from './support/console-fixtures.js';
import { stubOperationsApi, type StubCall } from './support/console-stub.js';
import type { CurrentOperator } from './support/console-types.js';

warnIfNoChromium();

const OPERATORS: Record<string, CurrentOperator> = {
  'token-alice': { consumer: 'ops-console', subject: 'alice.operator@firm.example', scopes: ['ops:read', 'ops:write'], canWrite: true },
  'token-viewer': { consumer: 'ops-dashboard', subject: null, scopes: ['ops:read'], canWrite: false },
};

describe.skipIf(!haveChromium)('operations console in Chromium (stubbed API)', () => {
  let server: ReturnType<ReturnType<typeof express>['listen']>;
  let origin: string;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  let fixtures: ReturnType<typeof consoleFixtures>;
  let calls: StubCall[];
  let problems: string[];

  beforeAll(async () => {
    server = express().use(operationsViewRouter()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(async (ctx) => {
    fixtures = consoleFixtures();
    page = await browser.context.newPage();
    problems = [];
    // An API answer of 4xx/5xx is logged by Chromium as a failed resource; a test that wants one says so by checking the page.
    page.on(
      'console',
      (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource: the server responded') && problems.push(m.text()),
    );
    page.on('pageerror', (e) => problems.push(e.message));
    calls = await stubOperationsApi(page, origin, fixtures, OPERATORS);
    ctx.onTestFinished(async () => {
      await page.close();
      expect(problems, 'errors in the page (a CSP refusal shows here)').toEqual([]);
    });
  });

  async function signIn(token: string, hash = '') {
    await page.goto(`${origin}${OPERATIONS_VIEW_PATH}${hash}`);
    await page.fill('#token', token);
    await page.click('#sign-in-button');
    await page.locator('#page-title').waitFor();
  }

  it('signs in and shows the overview: figures with explanations, the five views and trend charts', async () => {
    await signIn('token-alice');
    await expect(page.locator('#who-name').textContent()).resolves.toBe('alice.operator@firm.example (ops-console)');
    await expect(page.locator('#who-rights').textContent()).resolves.toContain('may act');
    await expect(page.locator('#page-title').textContent()).resolves.toBe('Overview');
    const failed = page.locator('.figure', { hasText: 'Failed provisioning' });
    await expect(failed.locator('.figure-value').textContent()).resolves.toBe('1');
    await expect(failed.locator('.figure-explanation').textContent()).resolves.toContain('needs an operator');
    await expect(failed.getAttribute('class')).resolves.toContain('attention');
    await expect(page.locator('#view-cards li').count()).resolves.toBe(5);
    await expect(page.locator('#view-cards li[data-question="failed-provisioning"]').textContent()).resolves.toContain(
      '€48,000.00 + US$125,000.00',
    );
    // uPlot drew each trend into a canvas of its own.
    await page.locator('#trends .trend canvas').first().waitFor();
    await expect(page.locator('#trends .trend canvas').count()).resolves.toBe(fixtures.trends.items.length);
    await expect(page.locator('.trend[data-figure="revenue-at-risk"] .trend-latest').textContent()).resolves.toBe('€66,240.00');
    expect(calls.every((c) => c.authorization === 'Bearer token-alice')).toBe(true);
  });

  it("shows the layer's alerts on the overview, firing first, with severity, since, summary and runbook", async () => {
    await signIn('token-alice');
    const rows = page.locator('#alerts tr[data-alert]');
    await expect(rows.count(), 'one row per alert').resolves.toBe(2);
    const firing = rows.first();
    await expect(firing.getAttribute('data-alert'), 'the firing alert first').resolves.toBe('9f2c4e1a7b3d5c60');
    await expect(firing.locator('.severity').textContent(), 'its severity').resolves.toBe('critical');
    await expect(firing.locator('.state').textContent(), 'its state').resolves.toBe('firing');
    const text = await firing.textContent();
    expect(text, 'since when it fires (30 min before 09:00)').toContain('2026-11-26 08:30 UTC');
    expect(text, 'its summary').toContain('2 won deal(s) failed to become an ERP project');
    await expect(firing.locator('.runbook').textContent(), 'the runbook as the repository path').resolves.toBe(
      'docs/runbooks/ProvisioningFailed.md',
    );
    const pendingRunbook = rows.nth(1).locator('a.runbook');
    await expect(pendingRunbook.getAttribute('href'), 'a runbook URL is a link').resolves.toBe(
      'https://runbooks.firm.example/ChangeCursorStale',
    );
    await pendingRunbook.focus();
    await expect(page.locator('#alerts a.runbook:focus').count(), 'the link takes keyboard focus').resolves.toBe(1);
  });

  it('says plainly that the layer does not evaluate alerts when it does not', async () => {
    fixtures.alerts = { evaluatedByLayer: false, items: [], nextCursor: null };
    await signIn('token-alice');
    await expect(page.locator('#alerts-off').textContent(), 'who evaluates the alerts instead').resolves.toBe(
      'The layer does not evaluate alerts: ALERT_WEBHOOK_URL is not set; Prometheus does.',
    );
    await expect(page.locator('#alerts').count(), 'no empty list that reads as all well').resolves.toBe(0);
  });

  it('still shows the figures when the trends cannot be read, saying why', async () => {
    await page.route(`${origin}/experience/operations/v1/trends**`, (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ title: 'Unavailable', status: 503, detail: 'the store is busy' }),
      }),
    );
    await signIn('token-alice');
    await expect(page.locator('#figures .figure').count()).resolves.toBeGreaterThan(5);
    await expect(page.locator('section[aria-labelledby="trends-title"]').textContent()).resolves.toContain(
      'The trends cannot be shown: the store is busy',
    );
  });

  it('lists a business view with platform links, age, money at risk and the run that stopped, and repairs one', async () => {
    await signIn('token-alice', '#/views/failed-provisioning');
    await expect(page.locator('#page-title').textContent()).resolves.toBe('Projects that failed to provision');
    const rows = page.locator('#exceptions tr[data-exception-id]');
    await expect(rows.count()).resolves.toBe(2);
    const first = rows.first();
    await expect(first.locator('a.record[data-platform="crm"]').getAttribute('href')).resolves.toBe(
      'https://acme.my.salesforce.com/lightning/r/Opportunity/006A0000001AbCdEAA/view',
    );
    const text = await first.textContent();
    expect(text).toContain('90 min'); // 5400 s
    expect(text).toContain('€48,000.00');
    expect(text).toContain('opportunity-to-project stopped at create-erp-project (failed), dead letter 7');
    await expect(first.locator('button[data-action]').evaluateAll((b) => b.map((e) => e.textContent))).resolves.toEqual([
      'Repair',
      'Retry run',
      'Replay dead letter',
      'Dismiss',
    ]);

    const id = fixtures.exceptions[0].id;
    await first.locator('button[data-action="repair"]').click();
    // Repairing, it leaves the open ones (the default filter) and shows among the repairing ones.
    await page.locator(`#exceptions tr[data-exception-id="${id}"]`).waitFor({ state: 'detached' });
    const repair = calls.find((c) => c.method === 'POST' && c.path === `/reconciliation/exceptions/${id}/repair`);
    expect(repair?.idempotencyKey).toMatch(/^"[0-9a-f-]{32,36}"$/);
    await expect(page.locator('#status').textContent()).resolves.toBe('Repair Acme rollout: done.');
    // "Check now" starts a reconciliation pass over every journey.
    await page.click('button[data-action="check"]');
    await page.locator('#status.ok', { hasText: 'Check now all journeys: done.' }).waitFor();
    const pass = calls.find((c) => c.method === 'POST' && c.path === '/reconciliation/passes');
    expect(pass?.body).toEqual({ repair: false });
    await page.selectOption('#filter-status', 'repairing');
    await page.click('.filters button[type="submit"]');
    await page.locator(`#exceptions tr[data-exception-id="${id}"] .status.repairing`).waitFor();
  });

  it('filters and pages a view through the URL', async () => {
    for (let n = 0; n < 27; n++) {
      fixtures.exceptions.push({
        ...fixtures.exceptions[2],
        id: `01a216af-078b-734e-a6c5-63f35c7d4${String(n).padStart(3, '0')}`,
        question: 'unbilled-approved-time',
        type: 'approved-time-not-billed',
      });
    }
    await signIn('token-alice', '#/views/unbilled-approved-time');
    const rows = page.locator('#exceptions tr[data-exception-id]');
    await expect(rows.count()).resolves.toBe(25);
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.getByRole('link', { name: 'First page' }).waitFor();
    await expect(rows.count()).resolves.toBe(2);
    expect(calls.at(-1)?.search).toContain('cursor=25');

    await page.selectOption('#filter-status', 'dismissed');
    await page.click('.filters button[type="submit"]');
    await page.locator('#exceptions td.empty').waitFor();
    await expect(page.locator('#exceptions td.empty').textContent()).resolves.toBe('No dismissed exceptions match.');
    const filtered = calls.filter((c) => c.path === '/reconciliation/exceptions').at(-1)!;
    expect(new URLSearchParams(filtered.search).get('status')).toBe('dismissed');
    expect(new URLSearchParams(filtered.search).get('question')).toBe('unbilled-approved-time');
  });

  it('opens an exception and dismisses it with a reason given in the dialog', async () => {
    const blocked = fixtures.exceptions[2];
    await signIn('token-alice', '#/views/blocked-invoices');
    await page.click(`#exceptions tr[data-exception-id="${blocked.id}"] a.exception-link`);
    await page.locator('#exception-facts').waitFor();
    await expect(page.locator('#page-title').textContent()).resolves.toBe('Invoice held in ERP');
    await expect(page.locator('#exception-facts').textContent()).resolves.toContain('3 days');
    // A repair only a person can make: no Repair button, the instruction instead.
    await expect(page.locator('button[data-action="repair"]').count()).resolves.toBe(0);
    await expect(page.locator('main').textContent()).resolves.toContain('Add the purchase order number');

    await page.click('button[data-action="dismiss"]');
    await page.locator('#reason-dialog[open]').waitFor();
    await page.fill('#reason', 'PO arrives by post; finance releases the hold on Monday.');
    await page.click('#reason-confirm');
    await page.locator('.facts .status.dismissed').waitFor();
    const dismissal = calls.find((c) => c.path === `/reconciliation/exceptions/${blocked.id}/dismiss`);
    expect(dismissal?.body).toEqual({ reason: 'PO arrives by post; finance releases the hold on Monday.' });
    await expect(page.locator('#exception-facts').textContent()).resolves.toContain('PO arrives by post');
  });

  it('shows a read-only operator no action buttons, and says why', async () => {
    await signIn('token-viewer', '#/views/failed-provisioning');
    await expect(page.locator('#who-rights').textContent()).resolves.toContain('read-only');
    await expect(page.locator('#exceptions tr[data-exception-id]').count()).resolves.toBe(2);
    await expect(page.locator('button[data-action]').count()).resolves.toBe(0);
    await page.click(`a.exception-link >> nth=0`);
    await page.locator('#exception-facts').waitFor();
    await expect(page.locator('button[data-action]').count()).resolves.toBe(0);
    await expect(page.locator('main').textContent()).resolves.toContain('Read-only: your token has no ops:write');
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('reaches and presses a Repair button with the keyboard alone, with a visible focus ring', async () => {
    await page.goto(`${origin}${OPERATIONS_VIEW_PATH}`);
    await tabTo("el.id === 'token'");
    await page.keyboard.type('token-alice');
    await page.keyboard.press('Enter');
    await page.locator('#view-cards').waitFor();
    await tabTo(`el.tagName === 'A' && el.closest('li[data-question="failed-provisioning"]') !== null`);
    await page.keyboard.press('Enter');
    await page.locator('#exceptions').waitFor();
    const repair = await tabTo("el.getAttribute('data-action') === 'repair'");
    expect(repair.outline).not.toBe('none');
    await page.keyboard.press('Enter');
    // Repairing, it leaves the list of open exceptions; focus goes back to the page's heading.
    await page.locator(`#exceptions tr[data-exception-id="${fixtures.exceptions[0].id}"]`).waitFor({ state: 'detached' });
    expect(calls.some((c) => c.method === 'POST' && c.path === `/reconciliation/exceptions/${fixtures.exceptions[0].id}/repair`)).toBe(
      true,
    );
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('page-title');
  });

  it('shows the executive figures the API returns, each number linking to its records', async () => {
    await signIn('token-alice', '#/executive');
    await page.locator('#executive-figures').waitFor();
    const shown = await page.locator('.executive-figure').evaluateAll((cards) =>
      cards.map((c) => ({
        name: c.getAttribute('data-figure'),
        title: c.querySelector('h2')?.textContent,
        value: c.querySelector('.figure-value')?.textContent,
      })),
    );
    expect(shown).toEqual([
      { name: 'dso', title: 'Days sales outstanding', value: '38.5 days' },
      { name: 'billable-utilisation', title: 'Billable utilisation', value: '74.2 %' },
      { name: 'revenue-at-risk', title: 'Revenue at risk from open exceptions', value: '€66,240.00 + US$125,000.00' },
      { name: 'forecast-accuracy', title: 'Forecast accuracy', value: '91.0 %' },
    ]);
    await expect(page.locator('.executive-figure[data-figure="dso"] .basis').textContent()).resolves.toBe(
      'Computed from: 14 invoices, 3 open',
    );
    await page.click('.executive-figure[data-figure="dso"] .figure-value a');
    await page.locator('#exceptions').waitFor();
    await expect(page.locator('#page-title').textContent()).resolves.toBe('Invoices that are blocked');
  });

  /** Presses Tab until the focused element (`el` in the test, a browser-side expression) matches, at most 80 times; its outline as drawn. */
  async function tabTo(test: string): Promise<{ outline: string }> {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(`(() => { const el = document.activeElement; return !!el && (${test}); })()`))
        return { outline: (await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')) as string };
    }
    throw new Error(`Tab never reached ${test}`);
  }
});
