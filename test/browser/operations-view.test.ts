// The operations console's runs page in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core) against the real gateway and store: a failed provisioning run leaves a dead
// letter, the operator signs in with a token, opens "Runs and dead letters", sees the dead letter
// (and the change feeds), clicks Replay and sees it gone. Skips, saying so, without Chromium.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { moveCursor } from '../../core/change-capture/index.js';
import type { Store } from '../../core/store/index.js';
import { startOperationsGateway, type OpsHarness } from '../support/operations-gateway.js';
import { OPERATIONS_VIEW_PATH } from '../../experience-apis/operations/view-route.js';
import { migratedStore, testEngines } from '../support/stores.js';
import { haveChromium, launchChromium, warnIfNoChromium } from './support/chromium.js';

warnIfNoChromium();

describe.skipIf(!haveChromium)('operations view in Chromium', () => {
  const engine = testEngines()[0]; // SQLite: the page is under test here, not the engine
  let store: Store;
  let ops: OpsHarness;
  let browser: { context: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    store = await migratedStore(engine);
    ops = await startOperationsGateway(store);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await ops?.close();
    await store?.close();
    await engine.cleanup();
  });

  it('shows a dead letter and replays it with one click', async () => {
    const { runId, deadLetterId } = await ops.failedRun('01a216af-0000-7000-8000-0000000b0001');
    await ops.failedRun('01a216af-0000-7000-8000-0000000b0002'); // a second one stays, so the table is not empty in the screenshot
    // A catch-up poll's cursor, as the CRM poll leaves it after a pass.
    const feed = { watermark: '2026-11-26T07:29:12Z', lastId: '006A0000001AbCdEAA' };
    await moveCursor(store.db, 'crm:opportunities', {
      from: undefined,
      to: feed,
      recorded: 3,
      lastChangeMs: Date.parse(feed.watermark),
      caughtUp: true,
    });

    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));

    const viewUrl = `${ops.gateway.url}${OPERATIONS_VIEW_PATH}`;
    await page.goto(`${viewUrl}#/runs`);
    await page.fill('#token', ops.tokens.readWrite);
    await page.click('#sign-in-button');

    const row = page.locator(`#dead-letters tr[data-dead-letter-id="${deadLetterId}"]`);
    await row.waitFor({ state: 'visible' });
    await expect(row.textContent()).resolves.toContain('subsidiary not mapped');
    await expect(page.locator(`#failed-runs tr[data-run-id="${runId}"]`).count()).resolves.toBe(1);
    await expect(
      page.locator('#change-feeds tr[data-stream="crm:opportunities"]').textContent(),
      'the CRM poll in the change feeds table',
    ).resolves.toContain('watermark 2026-11-26T07:29:12Z, lastId 006A0000001AbCdEAA');

    const shots = join(PROJECT_ROOT, process.env.SCREENSHOT_DIR ?? join('var', 'screenshots'));
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'console-runs.png'), fullPage: true });

    ops.platform.fixed = true;
    await page.click(`button[data-action="replay"][data-target="${deadLetterId}"]`);
    await row.waitFor({ state: 'detached' });
    await expect(page.locator('#status').textContent()).resolves.toBe(
      'Replay dead letter opportunity-to-project create-erp-project: done.',
    );

    const letter = await store.db
      .selectFrom('workflow_dead_letters')
      .select('state')
      .where('id', '=', deadLetterId)
      .executeTakeFirstOrThrow();
    expect(letter.state).toBe('replayed');
    const audit = await store.db
      .selectFrom('audit_log')
      .select(['consumer', 'action'])
      .where('target_id', '=', String(deadLetterId))
      .execute();
    expect(audit).toEqual([{ consumer: 'ops-alice', action: 'workflow.dead-letter.replayed' }]);
    expect(problems).toEqual([]);
  });
});
