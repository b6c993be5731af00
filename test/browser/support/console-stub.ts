// The operations API stubbed inside the browser (playwright routing) for the console's page
// tests: answers from the fixtures, applies repairs and dismissals to them, and records every call
// with its headers so a test can check what the page sent.
import type { Page, Route } from 'playwright-core';
import type { CurrentOperator } from './console-types.js';
import type { consoleFixtures } from './console-fixtures.js';

type Fixtures = ReturnType<typeof consoleFixtures>;
export interface StubCall {
  method: string;
  path: string;
  search: string;
  authorization?: string;
  idempotencyKey?: string;
  body?: unknown;
}

const json = (route: Route, status: number, body: unknown) =>
  route.fulfill({ status, contentType: status >= 400 ? 'application/problem+json' : 'application/json', body: JSON.stringify(body) });
const problem = (route: Route, status: number, detail: string) =>
  json(route, status, { type: 'about:blank', title: 'Error', status, detail, instance: '/stub' });

export async function stubOperationsApi(page: Page, origin: string, fixtures: Fixtures, operators: Record<string, CurrentOperator>) {
  const calls: StubCall[] = [];
  await page.route(`${origin}/experience/operations/v1/**`, async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    const path = url.pathname.replace('/experience/operations/v1', '');
    const headers = request.headers();
    const body = request.postData() ? JSON.parse(request.postData()!) : undefined;
    calls.push({
      method: request.method(),
      path,
      search: url.search,
      authorization: headers.authorization,
      idempotencyKey: headers['idempotency-key'],
      body,
    });
    const operator = operators[(headers.authorization ?? '').replace(/^Bearer /, '')];
    if (!operator) return problem(route, 401, 'the token is not valid');
    const get = request.method() === 'GET';
    if (!get && !operator.canWrite) return problem(route, 403, 'ops:write is required');
    const exception = /^\/reconciliation\/exceptions\/([^/]+)(?:\/(repair|dismiss))?$/.exec(path);
    if (get && path === '/operator') return json(route, 200, operator);
    if (get && path === '/summary') return json(route, 200, fixtures.summary);
    if (get && path === '/business-views') return json(route, 200, { items: fixtures.views });
    if (get && path === '/trends') return json(route, 200, fixtures.trends);
    if (get && path === '/alerts') return json(route, 200, fixtures.alerts);
    if (get && path === '/executive-figures') return json(route, 200, fixtures.executive);
    if (get && path === '/reconciliation/exceptions') {
      const q = url.searchParams;
      const status = q.get('status') ?? 'open';
      const matching = fixtures.exceptions.filter(
        (e) =>
          e.status === status &&
          (!q.get('question') || e.question === q.get('question')) &&
          (!q.get('type') || e.type === q.get('type')) &&
          (!q.get('journey') || e.journey === q.get('journey')),
      );
      const start = Number(q.get('cursor') ?? 0);
      const limit = Number(q.get('limit') ?? 50);
      const items = matching.slice(start, start + limit);
      return json(route, 200, { items, nextCursor: start + limit < matching.length ? String(start + limit) : null });
    }
    if (exception) {
      const found = fixtures.exceptions.find((e) => e.id === exception[1]);
      if (!found) return problem(route, 404, 'no such exception');
      if (get && !exception[2]) return json(route, 200, found);
      if (found.status !== 'open') return problem(route, 409, `the exception is ${found.status}`);
      if (exception[2] === 'repair') {
        found.status = 'repairing';
        return json(route, 202, found);
      }
      Object.assign(found, { status: 'dismissed', dismissReason: (body as { reason: string }).reason, resolvedBy: operator.consumer });
      return json(route, 200, found);
    }
    if (get && (path === '/runs' || path === '/dead-letters')) return json(route, 200, { items: [], nextCursor: null });
    if (get && path === '/change-feeds') return json(route, 200, { items: [] });
    if (get && path === '/deprecated-usage') return json(route, 200, { since: '2026-10-27', entries: [] });
    if (!get && path === '/reconciliation/passes')
      return json(route, 202, { ...fixtures.pass, trigger: 'operator', startedBy: operator.consumer });
    if (!get && /^\/runs\/[^/]+\/retry$/.test(path)) return json(route, 202, {});
    if (!get && /^\/dead-letters\/\d+\/replay$/.test(path)) return json(route, 202, {});
    return problem(route, 404, `the stub has no ${request.method()} ${path}`);
  });
  return calls;
}
