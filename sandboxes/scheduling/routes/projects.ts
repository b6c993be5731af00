// /v3/projects: list, get, create, update.
import type { Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import type { FloatProject } from '../vendor-types.js';
import { floatNow, type SchedulingState } from '../state.js';
import {
  body,
  idParam,
  modifiedSince,
  sendCreated,
  isBit,
  isDecimalString,
  pageParams,
  sendError,
  sendPage,
  sendValidation,
} from './common.js';

function validateProject(input: Record<string, unknown>, creating: boolean): Array<{ field: string; message: string }> {
  const errors: Array<{ field: string; message: string }> = [];
  if ((creating || 'name' in input) && (typeof input.name !== 'string' || input.name.trim() === ''))
    errors.push({ field: 'name', message: 'Name cannot be blank.' });
  if (input.budget_total !== undefined && input.budget_total !== null && !isDecimalString(input.budget_total))
    errors.push({ field: 'budget_total', message: 'budget_total must be a number.' });
  for (const f of ['non_billable', 'tentative', 'active'] as const) {
    if (input[f] !== undefined && !isBit(input[f])) errors.push({ field: f, message: `${f} must be 0 or 1.` });
  }
  return errors;
}

function apply(project: FloatProject, input: Record<string, unknown>): void {
  if (input.name !== undefined) project.name = String(input.name);
  if (input.client_id !== undefined) project.client_id = input.client_id === null ? null : Number(input.client_id);
  if (input.budget_total !== undefined) project.budget_total = input.budget_total === null ? null : String(input.budget_total);
  for (const f of ['non_billable', 'tentative', 'active'] as const) if (input[f] !== undefined) project[f] = input[f] as 0 | 1;
  if (Array.isArray(input.tags)) project.tags = input.tags.map(String);
  if (input.notes !== undefined) project.notes = input.notes === null ? null : String(input.notes);
  project.modified = floatNow();
}

export function projectRoutes(router: Router, ctx: SandboxContext<SchedulingState>): void {
  router.get('/v3/projects', (req, res) => {
    const paging = pageParams(req, res);
    if (!paging) return;
    const since = modifiedSince(req, res);
    if (since === null) return;
    const projects = [...ctx.state().projects.values()];
    sendPage(res, since === undefined ? projects : projects.filter((p) => p.modified >= since), paging);
  });

  router.get('/v3/projects/:id', (req, res) => {
    const id = idParam(req, res, 'id');
    if (id === undefined) return;
    const project = ctx.state().projects.get(id);
    if (!project) return sendError(res, 404, 'Object not found.');
    res.json(project);
  });

  router.post('/v3/projects', (req, res) => {
    const input = body(req);
    const errors = validateProject(input, true);
    if (errors.length) return sendValidation(res, errors);
    const state = ctx.state();
    const now = floatNow();
    const project: FloatProject = {
      project_id: state.nextId.project++,
      name: '',
      client_id: null,
      budget_total: null,
      non_billable: 0,
      tentative: 0,
      active: 1,
      tags: [],
      notes: null,
      created: now,
      modified: now,
    };
    apply(project, input);
    state.projects.set(project.project_id, project);
    sendCreated(req, res, `/v3/projects/${project.project_id}`, project);
  });

  router.patch('/v3/projects/:id', (req, res) => {
    const id = idParam(req, res, 'id');
    if (id === undefined) return;
    const project = ctx.state().projects.get(id);
    if (!project) return sendError(res, 404, 'Object not found.');
    const input = body(req);
    const errors = validateProject(input, false);
    if (errors.length) return sendValidation(res, errors);
    apply(project, input);
    res.json(project);
  });
}
