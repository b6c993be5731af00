// The operations view in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): a failed provisioning run leaves a dead letter, the operator opens the
// page, pastes a token, sees the dead letter (and the change feeds), clicks Replay and sees it gone. A screenshot is
// kept under var/screenshots/ for a person to look at. Skips, saying so, without Chromium.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { moveCursor } from '../../core/change-capture/index.js';
import type { Store } from '../../core/store/index.js';
import { startOperationsGateway, type OpsHarness } from '../support/operations-gateway.js';
import { VIEW_CSP, VIEW_HTML } from '../../experience-apis/operations/view-page.js';
import { OPERATIONS_VIEW_PATH } from '../../experience-apis/operations/view-route.js';
import { migratedStore, testEngines } from '../support/stores.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`[browser] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH); .ci/run installs it.`);

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(!haveChromium)('operations view in Chromium', () => {
  const engine = testEngines()[0]; // SQLite: the page is under test here, not the engine
  let store: Store;
  let ops: OpsHarness;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    store = await migratedStore(engine);
    ops = await startOperationsGateway(store);
    profile = mkdtempSync(join(tmpdir(), 'ops-view-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
    });
  });
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
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

    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));

    const viewUrl = `${ops.gateway.url}${OPERATIONS_VIEW_PATH}`;
    const served = await fetch(viewUrl);
    if (served.status !== 200) {
      // Until the gateway mounts operationsViewRouter() on its public paths, the page is handed
      // to the browser at the gateway's origin here; every API call still goes to the gateway.
      console.warn(
        `[browser] the gateway answers ${served.status} for ${OPERATIONS_VIEW_PATH}; serving the page at its origin from the test`,
      );
      await page.route(viewUrl, (route) =>
        route.fulfill({ status: 200, contentType: 'text/html', headers: { 'Content-Security-Policy': VIEW_CSP }, body: VIEW_HTML }),
      );
    }
    await page.goto(viewUrl);
    await page.fill('#token', ops.tokens.readWrite);
    await page.click('#load');

    const row = page.locator(`#dead-letters tr[data-dead-letter-id="${deadLetterId}"]`);
    await row.waitFor({ state: 'visible' });
    await expect(row.textContent()).resolves.toContain('subsidiary not mapped');
    await expect(page.locator('#figures').textContent()).resolves.toContain('open dead letters');
    await expect(page.locator(`#failed-runs tr[data-run-id="${runId}"]`).count()).resolves.toBe(1);
    await expect(
      page.locator('#change-feeds tr[data-stream="crm:opportunities"]').textContent(),
      'the CRM poll in the change feeds table',
    ).resolves.toContain('watermark 2026-11-26T07:29:12Z, lastId 006A0000001AbCdEAA');

    const shots = join(PROJECT_ROOT, 'var', 'screenshots');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'operations-view.png'), fullPage: true });

    ops.platform.fixed = true;
    await page.click(`[data-testid="replay-${deadLetterId}"]`);
    await row.waitFor({ state: 'detached' });
    await expect(page.locator('#status').textContent()).resolves.toBe(`Replay dead letter ${deadLetterId}: done.`);
    await page.screenshot({ path: join(shots, 'operations-view-after-replay.png'), fullPage: true });

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
