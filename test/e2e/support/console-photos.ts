// The README's pictures of the operations console, taken in headless Chromium from a running layer
// (not stubbed answers): the overview with its trend charts, a business view listing records, an
// exception's detail with its action, and the executive page. Each waits for what it shows.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { OPERATIONS_VIEW_PATH } from '../../../experience-apis/operations/view-route.js';
import { launchChromium } from '../../browser/support/chromium.js';

export interface ConsolePhotos {
  /** The business view to show, e.g. `failed-provisioning`. */
  question: string;
  /** The exception whose detail page to show. */
  exceptionId: string;
}

export async function photographConsole(gatewayUrl: string, token: string, dir: string, what: ConsolePhotos): Promise<void> {
  const browser = await launchChromium();
  try {
    const page: Page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${gatewayUrl}${OPERATIONS_VIEW_PATH}`);
    await page.fill('#token', token);
    await page.click('#sign-in-button');
    await page.locator('#trends .trend canvas').first().waitFor();
    await page.screenshot({ path: join(dir, 'console-overview.png'), fullPage: true });

    await page.goto(`${gatewayUrl}${OPERATIONS_VIEW_PATH}#/views/${what.question}`);
    await page.locator('#exceptions tr[data-exception-id]').first().waitFor();
    await page.screenshot({ path: join(dir, 'console-business-view.png'), fullPage: true });

    await page.goto(`${gatewayUrl}${OPERATIONS_VIEW_PATH}#/exceptions/${what.exceptionId}`);
    await page.locator('#exception-facts').waitFor();
    await page.screenshot({ path: join(dir, 'console-exception.png'), fullPage: true });

    await page.goto(`${gatewayUrl}${OPERATIONS_VIEW_PATH}#/executive`);
    await page.locator('.executive-figure').first().waitFor();
    await page.screenshot({ path: join(dir, 'console-executive.png'), fullPage: true });
    expect(problems, 'errors in the page').toEqual([]);
  } finally {
    await browser.close();
  }
}
