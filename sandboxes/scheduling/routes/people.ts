// /v3/people: list (filter `active`), get, create, update. Placeholders are people with people_type_id 3.
import type { Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import type { FloatPerson } from '../vendor-types.js';
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

function validatePerson(input: Record<string, unknown>, creating: boolean): Array<{ field: string; message: string }> {
  const errors: Array<{ field: string; message: string }> = [];
  if (creating || 'name' in input) {
    if (typeof input.name !== 'string' || input.name.trim() === '') errors.push({ field: 'name', message: 'Name cannot be blank.' });
  }
  if (input.email !== undefined && input.email !== null && (typeof input.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(input.email))) {
    errors.push({ field: 'email', message: 'Email is not a valid email address.' });
  }
  for (const f of ['default_hourly_rate', 'cost_rate'] as const) {
    if (input[f] !== undefined && input[f] !== null && !isDecimalString(input[f]))
      errors.push({ field: f, message: `${f} must be a number.` });
  }
  if (input.people_type_id !== undefined && ![1, 2, 3].includes(input.people_type_id as number))
    errors.push({ field: 'people_type_id', message: 'people_type_id is invalid.' });
  for (const f of ['employee_type', 'active'] as const) {
    if (input[f] !== undefined && !isBit(input[f])) errors.push({ field: f, message: `${f} must be 0 or 1.` });
  }
  if (input.work_days_hours !== undefined) {
    const w = input.work_days_hours;
    if (!Array.isArray(w) || w.length !== 7 || w.some((h) => typeof h !== 'number' || h < 0 || h > 24)) {
      errors.push({ field: 'work_days_hours', message: 'work_days_hours must be 7 numbers between 0 and 24.' });
    }
  }
  return errors;
}

function apply(person: FloatPerson, input: Record<string, unknown>, state: SchedulingState): void {
  const str = (v: unknown) => (v === null ? null : String(v));
  if (input.name !== undefined) person.name = String(input.name);
  if (input.email !== undefined) person.email = str(input.email);
  if (input.job_title !== undefined) person.job_title = str(input.job_title);
  if (input.department_id !== undefined) person.department = state.departments.get(Number(input.department_id)) ?? null;
  if (input.employee_type !== undefined) person.employee_type = input.employee_type as 0 | 1;
  if (input.people_type_id !== undefined) person.people_type_id = input.people_type_id as 1 | 2 | 3;
  if (input.default_hourly_rate !== undefined) person.default_hourly_rate = str(input.default_hourly_rate);
  if (input.cost_rate !== undefined) person.cost_rate = str(input.cost_rate);
  if (input.work_days_hours !== undefined) person.work_days_hours = [...(input.work_days_hours as number[])];
  if (input.active !== undefined) person.active = input.active as 0 | 1;
  if (Array.isArray(input.tags)) person.tags = input.tags.map(String);
  person.modified = floatNow();
}

export function peopleRoutes(router: Router, ctx: SandboxContext<SchedulingState>): void {
  router.get('/v3/people', (req, res) => {
    const paging = pageParams(req, res);
    if (!paging) return;
    const since = modifiedSince(req, res);
    if (since === null) return;
    let people = [...ctx.state().people.values()];
    if (req.query.active !== undefined) people = people.filter((p) => String(p.active) === String(req.query.active));
    if (since !== undefined) people = people.filter((p) => p.modified >= since);
    sendPage(res, people, paging);
  });

  router.get('/v3/people/:id', (req, res) => {
    const id = idParam(req, res, 'id');
    if (id === undefined) return;
    const person = ctx.state().people.get(id);
    if (!person) return sendError(res, 404, 'Object not found.');
    res.json(person);
  });

  router.post('/v3/people', (req, res) => {
    const input = body(req);
    const errors = validatePerson(input, true);
    if (errors.length) return sendValidation(res, errors);
    const state = ctx.state();
    const now = floatNow();
    const person: FloatPerson = {
      people_id: state.nextId.people++,
      name: '',
      email: null,
      job_title: null,
      department: null,
      employee_type: 1,
      people_type_id: 1,
      default_hourly_rate: null,
      cost_rate: null,
      work_days_hours: [8, 8, 8, 8, 8, 0, 0],
      active: 1,
      tags: [],
      start_date: null,
      end_date: null,
      created: now,
      modified: now,
    };
    apply(person, input, state);
    state.people.set(person.people_id, person);
    sendCreated(req, res, `/v3/people/${person.people_id}`, person);
  });

  router.patch('/v3/people/:id', (req, res) => {
    const id = idParam(req, res, 'id');
    if (id === undefined) return;
    const state = ctx.state();
    const person = state.people.get(id);
    if (!person) return sendError(res, 404, 'Object not found.');
    const input = body(req);
    const errors = validatePerson(input, false);
    if (errors.length) return sendValidation(res, errors);
    apply(person, input, state);
    res.json(person);
  });
}
