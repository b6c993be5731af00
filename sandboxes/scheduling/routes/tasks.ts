// /v3/tasks: allocations (Float's historical name). List with people/project/date and
// modified_since filters, get, create, update, delete; with webhooks switched on (a relay's
// stand-in: Float sends none) every change is also announced as a signed webhook.
import type { Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import type { FloatTask, FloatTaskWebhook } from '../vendor-types.js';
import { floatNow, type SchedulingState } from '../state.js';
import { body, idParam, isDate, modifiedSince, pageParams, sendCreated, sendError, sendPage, sendValidation } from './common.js';

function validateTask(input: Record<string, unknown>, current: FloatTask | undefined, state: SchedulingState) {
  const errors: Array<{ field: string; message: string }> = [];
  const merged = { ...current, ...input } as Record<string, unknown>;
  if (!state.projects.has(Number(merged.project_id))) errors.push({ field: 'project_id', message: 'Project is invalid.' });
  if (!state.people.has(Number(merged.people_id))) errors.push({ field: 'people_id', message: 'Person is invalid.' });
  if (!isDate(merged.start_date)) errors.push({ field: 'start_date', message: 'Start date is invalid.' });
  if (!isDate(merged.end_date)) errors.push({ field: 'end_date', message: 'End date is invalid.' });
  else if (isDate(merged.start_date) && merged.end_date < merged.start_date)
    errors.push({ field: 'end_date', message: 'End date must be on or after start date.' });
  if (typeof merged.hours !== 'number' || !(merged.hours > 0) || merged.hours > 24)
    errors.push({ field: 'hours', message: 'Hours must be between 0 and 24.' });
  if (merged.status !== undefined && ![1, 2, 3].includes(merged.status as number))
    errors.push({ field: 'status', message: 'Status is invalid.' });
  return errors;
}

function apply(task: FloatTask, input: Record<string, unknown>): void {
  if (input.project_id !== undefined) task.project_id = Number(input.project_id);
  if (input.people_id !== undefined) task.people_id = Number(input.people_id);
  if (input.start_date !== undefined) task.start_date = String(input.start_date);
  if (input.end_date !== undefined) task.end_date = String(input.end_date);
  if (input.hours !== undefined) task.hours = Number(input.hours);
  if (input.status !== undefined) task.status = input.status as 1 | 2 | 3;
  if (input.name !== undefined) task.name = input.name === null ? null : String(input.name);
  if (input.notes !== undefined) task.notes = input.notes === null ? null : String(input.notes);
  task.modified = floatNow();
}

function announce(ctx: SandboxContext<SchedulingState>, on: boolean, event: FloatTaskWebhook['event'], task: FloatTask): void {
  if (!on) return;
  const payload: FloatTaskWebhook = { event, account_id: ctx.state().accountId, timestamp: new Date().toISOString(), data: { ...task } };
  ctx.webhooks.send(event, payload);
}

export function taskRoutes(router: Router, ctx: SandboxContext<SchedulingState>, opts: { webhooks: boolean }): void {
  router.get('/v3/tasks', (req, res) => {
    const paging = pageParams(req, res);
    if (!paging) return;
    const since = modifiedSince(req, res);
    if (since === null) return;
    const { people_id, project_id, start_date, end_date } = req.query;
    let tasks = [...ctx.state().tasks.values()];
    if (people_id !== undefined) tasks = tasks.filter((t) => String(t.people_id) === String(people_id));
    if (project_id !== undefined) tasks = tasks.filter((t) => String(t.project_id) === String(project_id));
    // A date window keeps allocations that overlap it, as Float's schedule views do.
    if (isDate(start_date)) tasks = tasks.filter((t) => t.end_date >= start_date);
    if (isDate(end_date)) tasks = tasks.filter((t) => t.start_date <= end_date);
    if (since !== undefined) tasks = tasks.filter((t) => t.modified >= since);
    sendPage(res, tasks, paging);
  });

  router.get('/v3/tasks/:id', (req, res) => {
    const id = idParam(req, res, 'id');
    if (id === undefined) return;
    const task = ctx.state().tasks.get(id);
    if (!task) return sendError(res, 404, 'Object not found.');
    res.json(task);
  });

  router.post('/v3/tasks', (req, res) => {
    const state = ctx.state();
    const input = body(req);
    const errors = validateTask(input, undefined, state);
    if (errors.length) return sendValidation(res, errors);
    const now = floatNow();
    const task: FloatTask = {
      task_id: state.nextId.task++,
      project_id: 0,
      people_id: 0,
      start_date: '',
      end_date: '',
      hours: 0,
      status: 2,
      name: null,
      notes: null,
      created: now,
      modified: now,
    };
    apply(task, input);
    state.tasks.set(task.task_id, task);
    announce(ctx, opts.webhooks, 'task.created', task);
    sendCreated(req, res, `/v3/tasks/${task.task_id}`, task);
  });

  router.patch('/v3/tasks/:id', (req, res) => {
    const id = idParam(req, res, 'id');
    if (id === undefined) return;
    const state = ctx.state();
    const task = state.tasks.get(id);
    if (!task) return sendError(res, 404, 'Object not found.');
    const input = body(req);
    const errors = validateTask(input, task, state);
    if (errors.length) return sendValidation(res, errors);
    apply(task, input);
    announce(ctx, opts.webhooks, 'task.updated', task);
    res.json(task);
  });

  router.delete('/v3/tasks/:id', (req, res) => {
    const id = idParam(req, res, 'id');
    if (id === undefined) return;
    const state = ctx.state();
    const task = state.tasks.get(id);
    if (!task) return sendError(res, 404, 'Object not found.');
    state.tasks.delete(id);
    announce(ctx, opts.webhooks, 'task.deleted', { ...task, modified: floatNow() });
    res.status(204).end();
  });
}
