// /v2/time_entries: list with Harvest's filters and paging, get, create, update, delete.
// `is_billed` is read-only (Harvest sets it when one of its own invoices includes the entry), and
// parameters Harvest does not document (such as approval_status) are ignored, as Harvest ignores
// them. Locked entries (approved or invoiced) take no edits.
import type { Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import { FLAG, dayNumber } from '../entry-table.js';
import { entryJson, filterEntries, type EntryFilter } from '../entries-view.js';
import { rowById, touch, type TimeState } from '../state.js';
import { body, boolParam, envelope, instantParam, intParam, isDate, pageParams, statusError, unprocessable } from './common.js';

/** The fields a PATCH may change; anything else in the body is ignored. */
const EDITABLE = new Set(['notes', 'hours', 'spent_date', 'project_id', 'task_id']);

function parseFilter(state: TimeState, q: Record<string, unknown>): EntryFilter | string {
  const f: EntryFilter = {};
  const ref = (name: string, rows: ReadonlyArray<{ id: number }>): number | undefined | string => {
    const id = intParam(q[name]);
    if (id === null) return `${name} must be a positive integer`;
    if (id === undefined) return undefined;
    return rowById(rows, id) ?? -1; // an unknown id matches nothing, as on the platform
  };
  for (const [param, rows, key] of [
    ['user_id', state.users, 'user'],
    ['client_id', state.clients, 'client'],
    ['project_id', state.projects, 'project'],
    ['task_id', state.tasks, 'task'],
  ] as const) {
    const v = ref(param, rows);
    if (typeof v === 'string') return v;
    if (v !== undefined) f[key] = v;
  }
  const billed = boolParam(q.is_billed);
  const running = boolParam(q.is_running);
  if (billed === null || running === null) return 'is_billed and is_running take true or false';
  if (billed !== undefined) f.billed = billed;
  if (running !== undefined) f.running = running;
  const since = instantParam(q.updated_since);
  if (since === null) return 'updated_since must be an ISO 8601 date and time';
  if (since !== undefined) f.updatedSince = since;
  for (const k of ['from', 'to'] as const) {
    if (q[k] === undefined) continue;
    if (!isDate(q[k])) return `${k} must be a date (YYYY-MM-DD)`;
    f[k] = q[k];
  }
  return f;
}

export function timeEntryRoutes(router: Router, ctx: SandboxContext<TimeState>): void {
  router.get('/v2/time_entries', (req, res) => {
    const paging = pageParams(req, res);
    if (!paging) return;
    const state = ctx.state();
    const filter = parseFilter(state, req.query);
    if (typeof filter === 'string') return unprocessable(res, filter);
    const rows = filterEntries(state, filter);
    const start = (paging.page - 1) * paging.perPage;
    const page = rows.subarray(Math.min(start, rows.length), Math.min(start + paging.perPage, rows.length));
    res.json({ time_entries: Array.from(page, (r) => entryJson(state, r)), ...envelope(req, ctx.baseUrl(), rows.length, paging) });
  });

  router.get('/v2/time_entries/:id', (req, res) => {
    const state = ctx.state();
    const row = state.entries.rowOf(Number(req.params.id));
    if (row === undefined) return statusError(res, 404, 'Not Found');
    res.json(entryJson(state, row));
  });

  router.post('/v2/time_entries', (req, res) => {
    const state = ctx.state();
    const input = body(req);
    const user = input.user_id === undefined ? 0 : rowById(state.users, Number(input.user_id));
    const project = rowById(state.projects, Number(input.project_id));
    const task = rowById(state.tasks, Number(input.task_id));
    if (user === undefined) return unprocessable(res, 'User is not valid');
    if (project === undefined) return unprocessable(res, "Project can't be blank");
    if (task === undefined) return unprocessable(res, "Task can't be blank");
    if (!isDate(input.spent_date)) return unprocessable(res, "Spent date can't be blank");
    const hours = input.hours === undefined ? 0 : Number(input.hours);
    if (!Number.isFinite(hours) || hours < 0 || hours > 24) return unprocessable(res, 'Hours must be between 0 and 24');
    const now = Date.now();
    const row = state.entries.add({
      day: dayNumber(input.spent_date),
      user,
      project,
      task,
      hours,
      flags: FLAG.billable,
      approval: 0,
      billableRate: state.users[user].billableRate,
      costRate: state.users[user].costRate,
      createdAt: now,
      notes: typeof input.notes === 'string' ? input.notes : null,
    });
    touch(state);
    res.status(201).json(entryJson(state, row));
  });

  router.patch('/v2/time_entries/:id', (req, res) => {
    const state = ctx.state();
    const t = state.entries;
    const row = t.rowOf(Number(req.params.id));
    if (row === undefined) return statusError(res, 404, 'Not Found');
    const input = body(req);
    const edits = Object.keys(input).filter((k) => EDITABLE.has(k));
    const locked = Boolean(t.flags[row] & (FLAG.locked | FLAG.billed));
    if (locked && edits.length > 0) return unprocessable(res, 'Time entry is locked and cannot be edited');
    // Validate everything before changing anything: a 422 leaves the entry as it was.
    const hours = input.hours === undefined ? undefined : Number(input.hours);
    if (hours !== undefined && (!Number.isFinite(hours) || hours < 0 || hours > 24))
      return unprocessable(res, 'Hours must be between 0 and 24');
    if (input.spent_date !== undefined && !isDate(input.spent_date)) return unprocessable(res, 'Spent date is not a date');
    const project = input.project_id === undefined ? t.project[row] : rowById(state.projects, Number(input.project_id));
    const task = input.task_id === undefined ? t.task[row] : rowById(state.tasks, Number(input.task_id));
    if (project === undefined || task === undefined) return unprocessable(res, 'Project or task is not valid');

    const changed = edits.length > 0;
    if (input.notes !== undefined) t.notes[row] = input.notes === null ? null : String(input.notes);
    if (hours !== undefined) t.hours[row] = hours;
    t.setProject(row, project);
    t.task[row] = task;
    if (typeof input.spent_date === 'string') {
      t.day[row] = dayNumber(input.spent_date);
      t.reorder(row);
    }
    // A body with nothing Harvest lets a client change is not a change: updated_at stays.
    if (changed) {
      t.updatedAt[row] = Math.max(Date.now(), t.updatedAt[row] + 1);
      touch(state);
    }
    res.json(entryJson(state, row));
  });

  router.delete('/v2/time_entries/:id', (req, res) => {
    const state = ctx.state();
    const t = state.entries;
    const row = t.rowOf(Number(req.params.id));
    if (row === undefined) return statusError(res, 404, 'Not Found');
    if (t.flags[row] & (FLAG.locked | FLAG.billed)) return unprocessable(res, 'Time entry is locked and cannot be deleted');
    t.flags[row] |= FLAG.deleted;
    touch(state);
    res.status(200).end();
  });
}
