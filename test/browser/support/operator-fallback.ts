// Until the layer answers GET /operator (operations contract 1.7.0), the browser is told who the
// token belongs to by the test, saying so; every other call still goes to the gateway.
import type { Page } from 'playwright-core';
import type { CurrentOperator } from './console-types.js';

export async function operatorUnlessServed(page: Page, gatewayUrl: string, token: string, operator: CurrentOperator): Promise<void> {
  const url = `${gatewayUrl}/experience/operations/v1/operator`;
  const served = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  if (served.status !== 404 && served.status !== 501) return;
  console.warn(`[browser] GET /operator answers ${served.status}: the page is told the operator by the test`);
  await page.route(url, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(operator) }));
}
