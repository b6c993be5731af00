// /v2/clients and /v2/projects: the reference data time is logged against. Projects bill by
// task (the sandbox's tasks are delivery roles), as firms that bill by role set Harvest up.
import type { Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import type { HarvestClient, HarvestProject } from '../vendor-types.js';
import { rowById, touch, type TimeState } from '../state.js';
import { body, boolParam, cursorPage, intParam, iso, statusError, unprocessable } from './common.js';

const CURRENCY = /^[A-Z]{3}$/;
const SEEDED_AT = Date.parse('2024-06-03T09:00:00Z');

function projectJson(state: TimeState, row: number): HarvestProject {
  const p = state.projects[row];
  const c = state.clients[p.client];
  return {
    id: p.id,
    client: { id: c.id, name: c.name, currency: c.currency },
    name: p.name,
    code: p.code,
    is_active: p.active,
    is_billable: p.billable,
    bill_by: p.billable ? 'Tasks' : 'none',
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

function clientJson(c: TimeState['clients'][number]): HarvestClient {
  return { id: c.id, name: c.name, is_active: true, currency: c.currency, created_at: iso(SEEDED_AT), updated_at: iso(SEEDED_AT) };
}

export function projectRoutes(router: Router, ctx: SandboxContext<TimeState>): void {
  router.get('/v2/clients', (req, res) => {
    const clients = ctx.state().clients;
    const at = cursorPage(req, res, ctx.baseUrl(), clients.length, (i) => clients[i].id);
    if (!at) return;
    res.json({ clients: clients.slice(at.start, at.start + at.perPage).map(clientJson), ...at.envelope });
  });

  router.post('/v2/clients', (req, res) => {
    const state = ctx.state();
    const input = body(req);
    if (typeof input.name !== 'string' || input.name.trim() === '') return unprocessable(res, "Name can't be blank");
    const currency = input.currency === undefined ? 'USD' : input.currency;
    if (typeof currency !== 'string' || !CURRENCY.test(currency)) return unprocessable(res, 'Currency is not a valid currency code');
    if (state.clients.some((c) => c.name === input.name)) return unprocessable(res, 'Name has already been taken');
    const client = { id: (state.clients.at(-1)?.id ?? 5_730_000) + 1, name: input.name, currency };
    state.clients.push(client);
    res.status(201).json(clientJson(client));
  });

  router.get('/v2/projects', (req, res) => {
    const state = ctx.state();
    const clientId = intParam(req.query.client_id);
    const active = boolParam(req.query.is_active);
    if (clientId === null || active === null) return unprocessable(res, 'client_id must be an id and is_active true or false');
    const rows = state.projects.flatMap((p, i) =>
      (clientId === undefined || state.clients[p.client].id === clientId) && (active === undefined || p.active === active) ? [i] : [],
    );
    const at = cursorPage(req, res, ctx.baseUrl(), rows.length, (i) => state.projects[rows[i]].id);
    if (!at) return;
    res.json({ projects: rows.slice(at.start, at.start + at.perPage).map((r) => projectJson(state, r)), ...at.envelope });
  });

  router.get('/v2/projects/:id', (req, res) => {
    const state = ctx.state();
    const row = rowById(state.projects, Number(req.params.id));
    if (row === undefined) return statusError(res, 404, 'Not Found');
    res.json(projectJson(state, row));
  });

  router.post('/v2/projects', (req, res) => {
    const state = ctx.state();
    const input = body(req);
    const client = rowById(state.clients, Number(input.client_id));
    if (client === undefined) return unprocessable(res, "Client can't be blank");
    if (typeof input.name !== 'string' || input.name.trim() === '') return unprocessable(res, "Name can't be blank");
    if (input.code !== undefined && input.code !== null && typeof input.code !== 'string') return unprocessable(res, 'Code is invalid');
    const now = Date.now();
    state.projects.push({
      id: (state.projects.at(-1)?.id ?? 14_300_000) + 1,
      name: input.name,
      code: typeof input.code === 'string' ? input.code : null,
      client,
      billable: input.is_billable !== false,
      active: input.is_active !== false,
      createdAt: now,
      updatedAt: now,
    });
    touch(state);
    res.status(201).json(projectJson(state, state.projects.length - 1));
  });

  router.patch('/v2/projects/:id', (req, res) => {
    const state = ctx.state();
    const row = rowById(state.projects, Number(req.params.id));
    if (row === undefined) return statusError(res, 404, 'Not Found');
    const input = body(req);
    if (input.name !== undefined && (typeof input.name !== 'string' || input.name.trim() === ''))
      return unprocessable(res, "Name can't be blank");
    const p = state.projects[row];
    if (typeof input.name === 'string') p.name = input.name;
    if (input.code === null || typeof input.code === 'string') p.code = input.code;
    if (typeof input.is_billable === 'boolean') p.billable = input.is_billable;
    if (typeof input.is_active === 'boolean') p.active = input.is_active;
    p.updatedAt = Math.max(Date.now(), p.updatedAt + 1000);
    touch(state);
    res.json(projectJson(state, row));
  });
}
