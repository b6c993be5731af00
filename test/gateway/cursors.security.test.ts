// Every paged collection of every layer, through the real gateway: a forged cursor (re-signed with
// limit -1 or 1,000,000, bit-flipped, or another collection's) gets the same 400 problem and costs
// no platform call, while the genuine cursor is accepted; each page size equals the contract's.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTS_CURSOR } from '../../core/alerts/index.js';
import { AUDIT_CURSOR } from '../../core/audit/index.js';
import { loadCatalogue } from '../../core/contracts/catalogue.js';
import type { ApiContract } from '../../core/contracts/types.js';
import { encodeCursor, PAGE_SIZE, scopeOf, signedCursorOf, type CursorKind, type PageSize } from '../../core/paging.js';
import { OPERATIONS_CURSORS } from '../../experience-apis/operations/read-model.js';
import { FORECAST_CURSORS } from '../../process-apis/assignment-to-forecast/service.js';
import { runCursorKind } from '../../process-apis/kit/run-view.js';
import { RECONCILIATION_CURSORS } from '../../process-apis/reconciliation/index.js';
import { APPROVED_HOURS_CURSOR } from '../../process-apis/time-to-billing/client-view.js';
import { TIME_TO_BILLING_CURSORS } from '../../process-apis/time-to-billing/service.js';
import { CRM_CURSORS } from '../../system-apis/crm/service.js';
import { ERP_CURSORS } from '../../system-apis/erp/service-context.js';
import { SCHEDULING_CURSORS } from '../../system-apis/scheduling/service.js';
import { STAFFING_REQUEST_CURSOR, STAFFING_REQUEST_PAGE_SIZE } from '../../system-apis/scheduling/staffing.js';
import { TIME_CURSORS } from '../../system-apis/time/service.js';
import { bearer, makeKey, startGateway, startJwks, token, type SigningKey, type TestGateway, type TestJwks } from './support.js';

const CLIENT = '0190f2a4-5b6c-7d8e-9f01-23456789abcd';
const RUN = '0190f2a4-5b6c-7d8e-9f01-000000000001';
const NO_FILTERS = scopeOf({});

/** What a genuine cursor leads to: a platform call, a 200 from the layer's own store, or (portal) past the cursor to the client check. */
type Genuine = 'platform-call' | 'ok' | 'decoded';

interface Collection {
  path: string;
  kind: CursorKind<unknown>;
  scope: string;
  position: Record<string, unknown>;
  genuine: Genuine;
  size?: PageSize;
  claims?: Record<string, string>;
}

const numbered = { page: 2, limit: 50 };
/** A time-platform position: the platform's next-page link. */
const linked = { next: '/v2/time_entries?page=2&per_page=50', limit: 50 };
const erpAfter = { after: '1001' };
const COLLECTIONS: Collection[] = [
  ...(['clients', 'contacts', 'opportunities'] as const).map((name, i): Collection => ({
    path: `/system/crm/v1/${name}`,
    kind: [CRM_CURSORS.Account, CRM_CURSORS.Contact, CRM_CURSORS.Opportunity][i]!,
    scope: NO_FILTERS,
    position: { after: ['001000000000001AAA', '003000000000001AAA', '006000000000001AAA'][i] },
    genuine: 'platform-call',
  })),
  ...(Object.keys(ERP_CURSORS) as Array<keyof typeof ERP_CURSORS>).map((name): Collection => ({
    path: `/system/erp/v1/${name}`,
    kind: ERP_CURSORS[name],
    scope: NO_FILTERS,
    position: erpAfter,
    genuine: 'platform-call',
  })),
  {
    path: '/system/scheduling/v1/resources',
    kind: SCHEDULING_CURSORS.resources,
    scope: NO_FILTERS,
    position: numbered,
    genuine: 'platform-call',
  },
  {
    path: '/system/scheduling/v1/assignments',
    kind: SCHEDULING_CURSORS.assignments,
    scope: NO_FILTERS,
    position: numbered,
    genuine: 'platform-call',
  },
  {
    path: '/system/scheduling/v1/staffing-requests',
    kind: STAFFING_REQUEST_CURSOR,
    scope: NO_FILTERS,
    position: { after: RUN },
    genuine: 'ok',
    size: STAFFING_REQUEST_PAGE_SIZE,
  },
  {
    path: '/system/time/v1/time-entries',
    kind: TIME_CURSORS['time-entries'],
    scope: NO_FILTERS,
    position: linked,
    genuine: 'platform-call',
  },
  {
    path: '/system/time/v1/expenses',
    kind: TIME_CURSORS.expenses,
    scope: NO_FILTERS,
    position: { ...linked, next: '/v2/expenses?page=2&per_page=50' },
    genuine: 'platform-call',
  },
  ...(['assignment-to-forecast', 'billing-status-to-crm', 'opportunity-to-project', 'time-to-billing'] as const).map(
    (journey): Collection => ({
      path: `/process/${journey}/v1/runs`,
      kind: runCursorKind(journey),
      scope: NO_FILTERS,
      position: { after: RUN },
      genuine: 'ok',
    }),
  ),
  {
    path: '/process/assignment-to-forecast/v1/utilisation',
    kind: FORECAST_CURSORS.utilisation,
    scope: NO_FILTERS,
    position: { resourceId: RUN, weekStart: '2026-11-02' },
    genuine: 'ok',
  },
  {
    path: '/process/assignment-to-forecast/v1/staffing-conflicts',
    kind: FORECAST_CURSORS.staffingConflicts,
    scope: NO_FILTERS,
    position: { after: RUN },
    genuine: 'ok',
  },
  {
    path: '/process/time-to-billing/v1/billing-holds',
    kind: TIME_TO_BILLING_CURSORS.billingHolds,
    scope: NO_FILTERS,
    position: { after: RUN },
    genuine: 'ok',
  },
  {
    path: '/process/time-to-billing/v1/unbilled-work',
    kind: TIME_TO_BILLING_CURSORS.unbilledWork,
    scope: NO_FILTERS,
    position: { after: RUN },
    genuine: 'platform-call',
  },
  { path: '/experience/operations/v1/runs', kind: OPERATIONS_CURSORS.runs, scope: NO_FILTERS, position: { after: RUN }, genuine: 'ok' },
  {
    path: '/experience/operations/v1/dead-letters',
    kind: OPERATIONS_CURSORS.deadLetters,
    scope: scopeOf({ status: 'open' }),
    position: { after: 7 },
    genuine: 'ok',
  },
  {
    path: '/experience/operations/v1/reconciliation/exceptions',
    kind: RECONCILIATION_CURSORS.exceptions,
    scope: scopeOf({ status: 'open' }),
    position: { after: RUN },
    genuine: 'ok',
  },
  {
    path: '/experience/operations/v1/reconciliation/passes',
    kind: RECONCILIATION_CURSORS.passes,
    scope: NO_FILTERS,
    position: { after: RUN },
    genuine: 'ok',
  },
  {
    path: '/experience/operations/v1/audit',
    kind: AUDIT_CURSOR,
    scope: scopeOf({ order: 'desc' }),
    position: { after: RUN },
    genuine: 'ok',
  },
  // Checked whether or not the layer evaluates alerts (here it does not: the page is empty).
  {
    path: '/experience/operations/v1/alerts',
    kind: ALERTS_CURSOR,
    scope: NO_FILTERS,
    position: { state: 'firing', activeAtMs: 1_764_000_000_000, fingerprint: '3f1c0e9b2a7d4c61' },
    genuine: 'ok',
  },
  // The portal forwards the ERP's cursors, bound to the token's client; its hours cursor wraps the time system's.
  ...(['projects', 'invoices', 'payments'] as const).map((name): Collection => ({
    path: `/experience/portal/v1/${name}`,
    kind: ERP_CURSORS[name],
    scope: scopeOf({ clientId: CLIENT }),
    position: erpAfter,
    genuine: 'decoded',
    claims: { client_account: CLIENT },
  })),
  {
    path: '/experience/portal/v1/approved-hours',
    kind: APPROVED_HOURS_CURSOR,
    scope: scopeOf({ clientId: CLIENT }),
    position: { p: 1, c: encodeCursor(TIME_CURSORS['time-entries'], linked, scopeOf({ engagementId: RUN, approvalStatus: 'approved' })) },
    genuine: 'decoded',
    claims: { client_account: CLIENT },
  },
];

/** A stand-in for all four platforms: hands out OAuth tokens, answers everything else 400, and records each request's trace id. */
async function startCountingPlatform(): Promise<{ url: string; callsIn(traceId: string): number; close(): Promise<void> }> {
  const traces: string[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && /token/.test(req.url ?? '')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: 'counted', token_type: 'Bearer', expires_in: 3600 }));
      return;
    }
    traces.push(String(req.headers.traceparent ?? '').split('-')[1] ?? '');
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"counted"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    callsIn: (traceId) => traces.filter((t) => t === traceId).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bundled OpenAPI documents are free-form trees
type Node = Record<string, any>;

/** An operation's parameters with local `$ref`s resolved in the bundled document. */
function parametersOf(contract: ApiContract, op: Node | undefined): Node[] {
  const resolve = (p: Node): Node =>
    typeof p.$ref === 'string'
      ? resolve(
          (p.$ref as string)
            .slice(2)
            .split('/')
            .reduce<Node>((node, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')], contract.bundled as Node),
        )
      : p;
  return ((op?.parameters ?? []) as Node[]).map(resolve);
}

/** The cursor with one bit of its first payload byte flipped, still well-formed base64url. */
function bitFlipped(cursor: string): string {
  const payload = Buffer.from(cursor.slice(0, -43), 'base64url');
  payload[0] ^= 0x01;
  return payload.toString('base64url') + cursor.slice(-43);
}

describe('forged cursors on every paged collection, through the gateway', () => {
  let key: SigningKey;
  let jwks: TestJwks;
  let gw: TestGateway;
  let platform: Awaited<ReturnType<typeof startCountingPlatform>>;
  let catalogue: ApiContract[];

  beforeAll(async () => {
    key = await makeKey();
    jwks = await startJwks([key]);
    platform = await startCountingPlatform();
    catalogue = await loadCatalogue();
    gw = await startGateway(
      jwks.url,
      {
        RATE_LIMIT_LIMIT: '1000000',
        RATE_LIMIT_ADDRESS_LIMIT: '1000000',
        CRM_BASE_URL: platform.url,
        ERP_BASE_URL: platform.url,
        SCHEDULING_BASE_URL: platform.url,
        TIME_BASE_URL: platform.url,
      },
      { catalogue, apis: undefined },
    );
  }, 120_000);
  afterAll(async () => {
    await gw?.close();
    await jwks?.close();
    await platform?.close();
  });

  /** The contract's operation for a collection path: its scopes and its `limit` parameter. */
  function operationOf(path: string): { scopes: string[]; limit: { maximum: number; default: number } } {
    const contract = catalogue.find((c) => c.lifecycle !== 'retired' && path.startsWith(`${c.basePath}/`))!;
    const op = (contract.bundled.paths as Node)[path.slice(contract.basePath.length)].get as Node;
    const parameter = parametersOf(contract, op).find((p) => p.name === 'limit')!;
    const schema = parameter.schema as { maximum: number; default?: number };
    // A default the schema does not declare is the one its description states.
    const stated = Number(/the default is (\d+)/.exec(String(parameter.description))?.[1]);
    return {
      scopes: Object.values(op.security[0] as Record<string, string[]>).flat(),
      limit: { maximum: schema.maximum, default: schema.default ?? stated },
    };
  }

  async function get(c: Collection, cursor: string): Promise<{ status: number; body: Record<string, unknown>; platformCalls: number }> {
    const traceId = randomBytes(16).toString('hex');
    const jwt = await token({
      key,
      scope: operationOf(c.path).scopes.join(' '),
      clientId: 'cursor-tester',
      sub: 'tester',
      claims: c.claims,
    });
    const res = await fetch(`${gw.url}${c.path}?cursor=${cursor}`, {
      headers: { ...bearer(jwt), traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, platformCalls: platform.callsIn(traceId) };
  }

  it('covers every operation of every contract that takes a cursor, with its page sizes', () => {
    const paged = catalogue
      .filter((c) => c.lifecycle !== 'retired')
      .flatMap((c) =>
        Object.entries(c.bundled.paths as Node)
          .filter(([, item]) => parametersOf(c, (item as Node).get as Node | undefined).some((p) => p.name === 'cursor'))
          .map(([path]) => `${c.basePath}${path}`),
      );
    expect(COLLECTIONS.map((c) => c.path).sort()).toEqual(paged.sort());
    for (const c of COLLECTIONS) {
      const size = c.size ?? PAGE_SIZE;
      expect(operationOf(c.path).limit, c.path).toMatchObject({ maximum: size.max, default: size.default });
    }
  });

  it.each(COLLECTIONS.map((c) => [c.path, c] as const))('%s: the same 400 for each forgery, and no platform call', async (_path, c) => {
    const genuine = encodeCursor(c.kind, c.position, c.scope);
    const accepted = await get(c, genuine);
    // The genuine cursor passes, so the refusals below are the forgery's doing.
    expect(accepted.body.errors ?? [], c.path).not.toContainEqual(expect.objectContaining({ pointer: '/cursor' }));
    if (c.genuine === 'ok') expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    if (c.genuine === 'platform-call') expect(accepted.platformCalls, JSON.stringify(accepted.body)).toBeGreaterThan(0);

    const foreign = COLLECTIONS.find((other) => other.kind.purpose !== c.kind.purpose)!;
    const forgeries = {
      'limit -1': signedCursorOf(c.kind.purpose, { ...c.position, limit: -1 }, c.scope),
      'limit 1,000,000': signedCursorOf(c.kind.purpose, { ...c.position, limit: 1_000_000 }, c.scope),
      'bit-flipped': bitFlipped(genuine),
      "another collection's": encodeCursor(foreign.kind, foreign.position, c.scope),
      'other filters': encodeCursor(c.kind, c.position, scopeOf({ clientId: RUN })),
    };
    for (const [what, cursor] of Object.entries(forgeries)) {
      const refused = await get(c, cursor);
      expect({ status: refused.status, platformCalls: refused.platformCalls }, `${c.path} ${what}`).toEqual({
        status: 400,
        platformCalls: 0,
      });
      expect(refused.body, `${c.path} ${what}`).toMatchObject({
        type: '/problems/bad-request',
        status: 400,
        detail: 'The cursor is not valid here; send the nextCursor of the previous page unchanged, with the same filters.',
        errors: [{ pointer: '/cursor', detail: 'invalid cursor' }],
      });
    }
  });
});
