// The scheduling system API through the real gateway (JWT, scopes, contract validation of
// every request and response) against the Float-shaped sandbox, on each store engine available.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../core/store/index.js';
import { newId } from '../../core/xref/index.js';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { createSchedulingSandbox, SCHEDULING_SANDBOX_TOKEN, type SchedulingState } from '../../sandboxes/scheduling/index.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { apiClient, catalogueOf, idempotencyHeader } from '../../test/support/api-client.js';
import {
  bearer,
  makeKey,
  startGateway,
  startJwks,
  token,
  type SigningKey,
  type TestGateway,
  type TestJwks,
} from '../../test/gateway/support.js';
import type { Assignment, Resource, SchedulingProject, StaffingRequest } from './canonical.js';
import { SchedulingConnector } from './connector.js';
import { schedulingSystemModule } from './module.js';
import { createSchedulingSystemApi, type AssignmentPage, type ResourcePage, type SchedulingSystemApi } from './service.js';

const engines = testEngines();

describe.each(engines.map((e) => [e.name, e] as const))('scheduling system API on %s', (_name, engine) => {
  let sandbox: SandboxApp<SchedulingState>;
  let running: RunningSandbox;
  let store: Store;
  let connector: SchedulingConnector;
  let jwks: TestJwks;
  let key: SigningKey;
  let gateway: TestGateway;
  let readWrite: Record<string, string>;
  let readOnly: Record<string, string>;
  let schedulingSystem: SchedulingSystemApi;
  let receiver: Server;
  const webhooks: unknown[] = [];

  const { call } = apiClient(
    () => gateway.url,
    '/system/scheduling/v1',
    () => readWrite,
  );
  const idem = idempotencyHeader;

  async function someResources(): Promise<Resource[]> {
    return (await call<ResourcePage>('GET', '/resources?limit=200')).body.items;
  }
  async function project(name = 'Northwind ERP rollout'): Promise<string> {
    const engagementId = newId();
    const res = await call<SchedulingProject>('PUT', `/projects/${engagementId}`, {
      body: { name, budget: { amountMinor: 12000000, currency: 'EUR' } },
    });
    expect(res.status).toBe(201);
    return engagementId;
  }

  beforeAll(async () => {
    sandbox = createSandboxApp(
      createSchedulingSandbox({ rateLimit: { reads: 100_000, writes: 100_000, windowSeconds: 60 }, webhooks: true }),
    );
    running = await listen(sandbox.app);
    store = await migratedStore(engine);
    connector = new SchedulingConnector({
      baseUrl: running.url,
      apiToken: SCHEDULING_SANDBOX_TOKEN,
      timeoutMs: 2_000,
      backoff: { baseMs: 5, capMs: 20 },
      breaker: { consecutiveFailures: 1000 },
    });
    schedulingSystem = createSchedulingSystemApi({ connector, store });
    receiver = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        webhooks.push(JSON.parse(data));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    sandbox.ctx.webhooks.subscribe(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/scheduling-events`);
    key = await makeKey();
    jwks = await startJwks([key]);
    gateway = await startGateway(
      jwks.url,
      {},
      {
        catalogue: await catalogueOf([{ layer: 'system', api: 'scheduling', major: 1 }]),
        apis: [schedulingSystemModule],
        layers: { infra: { store }, systemApis: { scheduling: schedulingSystem } },
      },
    );
    readWrite = bearer(await token({ key, scope: 'scheduling:read scheduling:write', clientId: 'test-client' }));
    readOnly = bearer(await token({ key, scope: 'scheduling:read', clientId: 'test-client' }));
  });
  afterAll(async () => {
    await gateway?.close();
    await jwks?.close();
    await connector?.close();
    await running?.close();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
    await store?.close();
    await engine.cleanup();
  });
  beforeEach(() => sandbox.ctx.faults.clear());

  it('lists resources over cursor pages with stable canonical ids', async () => {
    const seen: Resource[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: ResourcePage } = await call<ResourcePage>(
        'GET',
        `/resources?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toHaveLength(6);
    expect(seen[0]).toMatchObject({ primaryRole: 'analyst', capacityMinutesPerWeek: expect.any(Number), status: 'active' });
    const again = await someResources();
    expect(again.map((r) => r.id).sort()).toEqual(seen.map((r) => r.id).sort());
    expect((await call<Resource>('GET', `/resources/${seen[2].id}`)).body).toEqual(seen[2]);
  });

  it('answers unknown ids with 404, bad cursors and limits with 400, all as problem details', async () => {
    const missing = await call<{ status: number }>('GET', `/resources/${newId()}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await call('GET', '/resources?cursor=bm90LWEtY3Vyc29y')).status).toBe(400);
    expect((await call('GET', '/resources?limit=0')).status).toBe(400);
    const page = await call<ResourcePage>('GET', '/resources?limit=2');
    expect((await call('GET', `/resources?limit=2&status=inactive&cursor=${page.body.nextCursor}`)).status).toBe(400);
    expect((await call('GET', `/projects/${newId()}`)).status).toBe(404);
  });

  it('creates the project for an engagement once, then updates it', async () => {
    const engagementId = await project();
    const again = await call<SchedulingProject>('PUT', `/projects/${engagementId}`, {
      body: { name: 'Northwind ERP rollout, phase 2', billable: false },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ engagementId, name: 'Northwind ERP rollout, phase 2', billable: false });
    expect((await call<SchedulingProject>('GET', `/projects/${engagementId}`)).body.name).toBe('Northwind ERP rollout, phase 2');
    expect(sandbox.ctx.state().projects.size).toBe(4);
  });

  it('books, changes and cancels an assignment; Idempotency-Key replays the booking', async () => {
    const engagementId = await project();
    const [resource] = await someResources();
    const body = {
      engagementId,
      resourceId: resource.id,
      role: 'senior-consultant',
      startDate: '2026-12-07',
      endDate: '2027-01-29',
      minutesPerWeek: 2400,
    };
    const headers = idem();
    const created = await call<Assignment>('POST', '/assignments', { body, headers });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/system/scheduling/v1/assignments/${created.body.id}`);
    expect(created.body).toMatchObject({ ...body, status: 'confirmed' });
    const replay = await call<Assignment>('POST', '/assignments', { body, headers });
    expect(replay.body.id).toBe(created.body.id);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const tasks = [...sandbox.ctx.state().tasks.values()].filter((t) => t.start_date === '2026-12-07');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ hours: 8, name: 'Senior Consultant' });

    const listed = await call<AssignmentPage>('GET', `/assignments?engagementId=${engagementId}`);
    expect(listed.body.items).toEqual([created.body]);
    const byResource = await call<AssignmentPage>('GET', `/assignments?resourceId=${resource.id}&limit=200`);
    expect(byResource.body.items.every((a) => a.resourceId === resource.id)).toBe(true);

    const changed = await call<Assignment>('PATCH', `/assignments/${created.body.id}`, {
      body: { minutesPerWeek: 1200, status: 'tentative' },
      headers: idem(),
    });
    expect(changed.body).toMatchObject({ minutesPerWeek: 1200, status: 'tentative' });
    expect((await call('PATCH', `/assignments/${created.body.id}`, { body: { minutesPerWeek: 1201 }, headers: idem() })).status).toBe(400);

    const cancelled = await call<Assignment>('PATCH', `/assignments/${created.body.id}`, {
      body: { status: 'cancelled' },
      headers: idem(),
    });
    expect(cancelled.body.status).toBe('cancelled');
    expect(sandbox.ctx.state().tasks.has(tasks[0].task_id)).toBe(false);
    expect((await call<Assignment>('GET', `/assignments/${created.body.id}`)).body).toEqual(cancelled.body);
    expect((await call('PATCH', `/assignments/${created.body.id}`, { body: { minutesPerWeek: 600 }, headers: idem() })).status).toBe(409);
  });

  it('refuses a booking on an engagement without a project, and writes without the write scope', async () => {
    const [resource] = await someResources();
    const body = {
      engagementId: newId(),
      resourceId: resource.id,
      role: 'analyst',
      startDate: '2026-12-07',
      endDate: '2026-12-11',
      minutesPerWeek: 600,
    };
    expect((await call('POST', '/assignments', { body, headers: idem() })).status).toBe(404);
    expect((await call('POST', '/assignments', { body, headers: { ...readOnly, ...idem() } })).status).toBe(403);
    expect((await call('POST', '/assignments', { body })).status).toBe(400);
  });

  it('seats a staffing request on a placeholder, fills it with a resource, and refuses to withdraw it then', async () => {
    const engagementId = await project('Contoso data platform');
    const create = {
      engagementId,
      role: 'data-engineer',
      startDate: '2026-12-07',
      endDate: '2026-12-18',
      effortMinutes: 4800,
      skills: ['dbt'],
    };
    const requested = await call<StaffingRequest>('POST', '/staffing-requests', { body: create, headers: idem() });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ ...create, status: 'open' });
    const placeholder = [...sandbox.ctx.state().people.values()].find((p) => p.people_type_id === 3 && p.job_title === 'Data Engineer');
    expect(placeholder).toBeDefined();
    const seat = [...sandbox.ctx.state().tasks.values()].find((t) => t.people_id === placeholder?.people_id);
    expect(seat).toMatchObject({ status: 1, hours: 8 });
    // The open request is not an assignment, and the placeholder is not a resource.
    expect((await call<AssignmentPage>('GET', `/assignments?engagementId=${engagementId}`)).body.items).toEqual([]);
    expect((await someResources()).some((r) => r.displayName.includes('placeholder'))).toBe(false);

    const [, resource] = await someResources();
    const filled = await call<Assignment>('POST', `/staffing-requests/${requested.body.id}/assignments`, {
      body: { resourceId: resource.id },
      headers: idem(),
    });
    expect(filled.status).toBe(201);
    expect(filled.body).toMatchObject({
      engagementId,
      resourceId: resource.id,
      staffingRequestId: requested.body.id,
      role: 'data-engineer',
      status: 'confirmed',
    });
    expect((await call<StaffingRequest>('GET', `/staffing-requests/${requested.body.id}`)).body.status).toBe('filled');
    const again = await call<Assignment>('POST', `/staffing-requests/${requested.body.id}/assignments`, {
      body: { resourceId: resource.id },
      headers: idem(),
    });
    expect(again.body.id).toBe(filled.body.id);
    expect(
      (await call('PATCH', `/staffing-requests/${requested.body.id}`, { body: { status: 'cancelled' }, headers: idem() })).status,
    ).toBe(409);
  });

  it('makes one staffing request per externalReference, beside the Idempotency-Key replay', async () => {
    const engagementId = await project('Adatum finance transformation');
    const externalReference = `opportunity-to-project:${newId()}:consultant`;
    const create = {
      engagementId,
      role: 'consultant',
      startDate: '2027-01-04',
      endDate: '2027-01-15',
      effortMinutes: 4800,
      externalReference,
    };
    const headers = idem();
    const first = await call<StaffingRequest>('POST', '/staffing-requests', { body: create, headers });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ ...create, status: 'open' });
    // The same key and body: the stored answer again, marked as a replay.
    const replay = await call<StaffingRequest>('POST', '/staffing-requests', { body: create, headers });
    expect([replay.status, replay.headers.get('idempotent-replayed'), replay.body]).toEqual([201, 'true', first.body]);
    // The same key with another body is the middleware's 422, whatever the reference says.
    expect((await call('POST', '/staffing-requests', { body: { ...create, effortMinutes: 2400 }, headers })).status).toBe(422);
    // Another key, the same reference and terms: the request already made, not a second one.
    const again = await call<StaffingRequest>('POST', '/staffing-requests', { body: create, headers: idem() });
    expect([again.status, again.headers.get('idempotent-replayed'), again.body]).toEqual([200, null, first.body]);
    // Another key, the same reference, other terms: a conflict, not a second request.
    const other = await call<{ errors: Array<{ pointer: string }> }>('POST', '/staffing-requests', {
      body: { ...create, effortMinutes: 2400 },
      headers: idem(),
    });
    expect(other.status).toBe(409);
    expect(other.body.errors[0]?.pointer).toBe('/externalReference');
    expect(
      (await call('POST', '/staffing-requests', { body: { ...create, externalReference: 'not a reference' }, headers: idem() })).status,
    ).toBe(400);

    const listed = await call<{ items: StaffingRequest[] }>('GET', `/staffing-requests?engagementId=${engagementId}`);
    expect(listed.body.items.map((r) => r.id)).toEqual([first.body.id]);
    const seats = [...sandbox.ctx.state().tasks.values()].filter(
      (t) => t.start_date === '2027-01-04' && t.notes?.includes(externalReference),
    );
    expect(seats).toHaveLength(1);
    expect(seats[0]!.notes).toBe(`[staffing-request-ref ${externalReference}]`);
    // A withdrawn request stays the answer for its reference: a repeat does not seat it again.
    await call('PATCH', `/staffing-requests/${first.body.id}`, { body: { status: 'cancelled' }, headers: idem() });
    const afterCancel = await call<StaffingRequest>('POST', '/staffing-requests', { body: create, headers: idem() });
    expect([afterCancel.status, afterCancel.body.id, afterCancel.body.status]).toEqual([200, first.body.id, 'cancelled']);
    expect([...sandbox.ctx.state().tasks.values()].filter((t) => t.notes?.includes(externalReference))).toHaveLength(0);
  });

  it('finds a staffing request the platform took but whose answer was lost, instead of seating a second', async () => {
    const engagementId = await project('Wingtip billing migration');
    // A connector whose first allocation create reaches the platform but never answers: the
    // crash window between the platform's create and the layer's record of it.
    class LosingConnector extends SchedulingConnector {
      creates = 0;
      override async createTask(...args: Parameters<SchedulingConnector['createTask']>) {
        const task = await super.createTask(...args);
        if (++this.creates === 1) throw new Error('socket hang up');
        return task;
      }
    }
    const losing = new LosingConnector({
      baseUrl: running.url,
      apiToken: SCHEDULING_SANDBOX_TOKEN,
      timeoutMs: 2_000,
      breaker: { consecutiveFailures: 1000 },
    });
    try {
      const api = createSchedulingSystemApi({ connector: losing, store });
      const externalReference = `opportunity-to-project:${newId()}:consultant`;
      const input = {
        engagementId,
        role: 'consultant',
        startDate: '2027-02-01',
        endDate: '2027-02-26',
        effortMinutes: 9600,
        notes: 'Lead consultant',
        externalReference,
      };
      await expect(api.createStaffingRequest(input)).rejects.toThrow('socket hang up');
      const seated = () => [...sandbox.ctx.state().tasks.values()].filter((t) => t.notes?.includes(externalReference));
      expect(seated(), 'the platform took the first create').toHaveLength(1);
      expect(
        await store.db.selectFrom('scheduling_staffing_requests').select('id').where('engagement_id', '=', engagementId).execute(),
      ).toHaveLength(0);

      const retried = await api.createStaffingRequest(input);
      expect(retried.created).toBe(false);
      expect(retried.request).toMatchObject({ engagementId, status: 'open', externalReference, notes: 'Lead consultant' });
      expect(seated(), 'still one allocation on the platform').toHaveLength(1);
      expect(seated()[0]!.notes).toBe(`Lead consultant\n[staffing-request-ref ${externalReference}]`);
      const records = await store.db
        .selectFrom('scheduling_staffing_requests')
        .select(['id', 'task_id'])
        .where('engagement_id', '=', engagementId)
        .execute();
      expect(records).toEqual([{ id: retried.request.id, task_id: String(seated()[0]!.task_id) }]);
      expect((await api.createStaffingRequest(input)).request.id).toBe(retried.request.id);
      expect(losing.creates, 'allocations created by the layer').toBe(1);
    } finally {
      await losing.close();
    }
  });

  it('lets racers with one externalReference converge on one request and one allocation', async () => {
    const engagementId = await project('Proseware delivery audit');
    const externalReference = `opportunity-to-project:${newId()}:manager`;
    const input = { engagementId, role: 'manager', startDate: '2027-03-01', endDate: '2027-03-05', effortMinutes: 1200, externalReference };
    const results = await Promise.all(Array.from({ length: 4 }, () => schedulingSystem.createStaffingRequest(input)));
    expect(new Set(results.map((r) => r.request.id)).size).toBe(1);
    expect(results.filter((r) => r.created).length).toBeLessThanOrEqual(1);
    expect([...sandbox.ctx.state().tasks.values()].filter((t) => t.notes?.includes(externalReference))).toHaveLength(1);
    expect(
      await store.db.selectFrom('scheduling_staffing_requests').select('id').where('external_reference', '=', externalReference).execute(),
    ).toHaveLength(1);
  });

  it('withdraws an open staffing request', async () => {
    const engagementId = await project('Fabrikam audit readiness');
    const requested = await call<StaffingRequest>('POST', '/staffing-requests', {
      body: { engagementId, role: 'manager', startDate: '2027-01-04', endDate: '2027-01-29', effortMinutes: 2400 },
      headers: idem(),
    });
    const cancelled = await call<StaffingRequest>('PATCH', `/staffing-requests/${requested.body.id}`, {
      body: { status: 'cancelled' },
      headers: idem(),
    });
    expect(cancelled.body.status).toBe('cancelled');
    expect((await call<StaffingRequest>('GET', `/staffing-requests/${requested.body.id}`)).body.status).toBe('cancelled');
    expect((await call('GET', `/staffing-requests/${newId()}`)).status).toBe(404);
  });

  it('lists staffing requests oldest first over cursor pages, with live statuses', async () => {
    const engagementId = await project('Litware cloud landing zone');
    const made: StaffingRequest[] = [];
    for (const role of ['analyst', 'consultant', 'architect']) {
      made.push(
        (
          await call<StaffingRequest>('POST', '/staffing-requests', {
            body: { engagementId, role, startDate: '2027-03-01', endDate: '2027-03-12', effortMinutes: 2400 },
            headers: idem(),
          })
        ).body,
      );
    }
    await call('PATCH', `/staffing-requests/${made[1].id}`, { body: { status: 'cancelled' }, headers: idem() });
    const first = await call<{ items: StaffingRequest[]; nextCursor: string | null }>(
      'GET',
      `/staffing-requests?engagementId=${engagementId}&limit=2`,
    );
    expect(first.status).toBe(200);
    const second = await call<{ items: StaffingRequest[]; nextCursor: string | null }>(
      'GET',
      `/staffing-requests?engagementId=${engagementId}&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.nextCursor).toBeNull();
    const listed = [...first.body.items, ...second.body.items];
    expect(listed.map((r) => r.id)).toEqual(made.map((r) => r.id));
    expect(listed.map((r) => r.status)).toEqual(['open', 'cancelled', 'open']);
    expect((await call('GET', '/staffing-requests?limit=51')).status).toBe(400);
  });

  it('turns allocation webhooks into canonical assignment changes, skipping placeholder seats', async () => {
    const engagementId = await project('Tailspin pricing review');
    const [resource] = await someResources();
    webhooks.length = 0;
    const booked = await call<Assignment>('POST', '/assignments', {
      body: {
        engagementId,
        resourceId: resource.id,
        role: 'analyst',
        startDate: '2027-02-01',
        endDate: '2027-02-12',
        minutesPerWeek: 1200,
      },
      headers: idem(),
    });
    await call('PATCH', `/assignments/${booked.body.id}`, { body: { minutesPerWeek: 600 }, headers: idem() });
    await call('PATCH', `/assignments/${booked.body.id}`, { body: { status: 'cancelled' }, headers: idem() });
    await call('POST', '/staffing-requests', {
      body: { engagementId, role: 'architect', startDate: '2027-02-01', endDate: '2027-02-05', effortMinutes: 600 },
      headers: idem(),
    });
    await sandbox.ctx.webhooks.drain();
    const changes = await Promise.all(webhooks.map((w) => schedulingSystem.assignmentChangeFromWebhook(w)));
    expect(changes.map((c) => c?.change)).toEqual(['created', 'updated', 'cancelled', undefined]);
    expect(changes.slice(0, 3).every((c) => c?.assignment.id === booked.body.id && c.assignment.engagementId === engagementId)).toBe(true);
    expect(changes[1]?.assignment.minutesPerWeek).toBe(600);
    expect(changes[2]?.assignment.status).toBe('cancelled');
    await expect(schedulingSystem.assignmentChangeFromWebhook({ event: 'task.exploded' })).rejects.toMatchObject({ status: 422 });
  });

  it('turns platform failures into 502/503 problem details', async () => {
    sandbox.ctx.faults.set({ paths: '/v3', errorRate: 1, errorStatus: 500 });
    const failed = await call<{ status: number; type: string; platform: string }>('GET', '/resources');
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ type: '/problems/upstream-error', platform: 'scheduling' });
    sandbox.ctx.faults.set({ errorRate: 0, malformedRate: 1 });
    expect((await call('GET', '/resources')).status).toBe(502);
  });
});
