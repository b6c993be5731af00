// /v2/expenses: list with filters and paging, get, create, and PATCH. As for time entries,
// `is_billed` is read-only and undocumented parameters (approval_status) are ignored.
import type { Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import { expenseJson } from '../entries-view.js';
import { rowById, touch, type StoredExpense, type TimeState } from '../state.js';
import { body, boolParam, envelope, instantParam, intParam, isDate, iso, pageParams, statusError, unprocessable } from './common.js';

function matches(e: StoredExpense, q: Record<string, unknown>): boolean | string {
  for (const [param, get] of [
    ['user_id', () => e.user.id],
    ['client_id', () => e.client.id],
    ['project_id', () => e.project.id],
  ] as const) {
    const id = intParam(q[param]);
    if (id === null) return `${param} must be a positive integer`;
    if (id !== undefined && get() !== id) return false;
  }
  const billed = boolParam(q.is_billed);
  if (billed === null) return 'is_billed takes true or false';
  if (billed !== undefined && e.is_billed !== billed) return false;
  const since = instantParam(q.updated_since);
  if (since === null) return 'updated_since must be an ISO 8601 date and time';
  if (since !== undefined && Date.parse(e.updated_at) < Math.floor(since / 1000) * 1000) return false;
  if (q.from !== undefined && (!isDate(q.from) || e.spent_date < q.from)) return isDate(q.from) ? false : 'from must be a date';
  if (q.to !== undefined && (!isDate(q.to) || e.spent_date > q.to)) return isDate(q.to) ? false : 'to must be a date';
  return true;
}

export function expenseRoutes(router: Router, ctx: SandboxContext<TimeState>): void {
  router.get('/v2/expenses', (req, res) => {
    const paging = pageParams(req, res);
    if (!paging) return;
    const list: StoredExpense[] = [];
    for (const e of ctx.state().expenses) {
      const m = matches(e, req.query);
      if (typeof m === 'string') return unprocessable(res, m);
      if (m) list.push(e);
    }
    list.sort((a, b) => (a.spent_date === b.spent_date ? b.id - a.id : a.spent_date < b.spent_date ? 1 : -1));
    const start = (paging.page - 1) * paging.perPage;
    res.json({
      expenses: list.slice(start, start + paging.perPage).map(expenseJson),
      ...envelope(req, ctx.baseUrl(), list.length, paging),
    });
  });

  router.get('/v2/expenses/:id', (req, res) => {
    const expense = ctx.state().expenses.find((e) => e.id === Number(req.params.id));
    if (!expense) return statusError(res, 404, 'Not Found');
    res.json(expenseJson(expense));
  });

  router.post('/v2/expenses', (req, res) => {
    const state = ctx.state();
    const input = body(req);
    const user = input.user_id === undefined ? 0 : rowById(state.users, Number(input.user_id));
    const project = rowById(state.projects, Number(input.project_id));
    const category = rowById(state.expenseCategories, Number(input.expense_category_id));
    if (user === undefined) return unprocessable(res, 'User is not valid');
    if (project === undefined) return unprocessable(res, "Project can't be blank");
    if (category === undefined) return unprocessable(res, "Expense category can't be blank");
    if (!isDate(input.spent_date)) return unprocessable(res, "Spent date can't be blank");
    const total = Number(input.total_cost);
    if (!Number.isFinite(total) || total < 0) return unprocessable(res, 'Total cost must be a number');
    const p = state.projects[project];
    const client = state.clients[p.client];
    const now = iso(Date.now());
    const expense: StoredExpense = {
      id: state.nextExpenseId++,
      spent_date: input.spent_date,
      user: { id: state.users[user].id, name: state.users[user].name },
      client: { id: client.id, name: client.name, currency: client.currency },
      project: { id: p.id, name: p.name, code: p.code },
      expense_category: { ...state.expenseCategories[category] },
      notes: typeof input.notes === 'string' ? input.notes : null,
      units: typeof input.units === 'number' ? input.units : null,
      total_cost: total,
      billable: input.billable !== false,
      is_closed: false,
      is_locked: false,
      is_billed: false,
      locked_reason: null,
      approval: 'unsubmitted',
      invoice: null,
      receipt: null,
      created_at: now,
      updated_at: now,
    };
    state.expenses.push(expense);
    touch(state);
    res.status(201).json(expenseJson(expense));
  });

  router.patch('/v2/expenses/:id', (req, res) => {
    const state = ctx.state();
    const expense = state.expenses.find((e) => e.id === Number(req.params.id));
    if (!expense) return statusError(res, 404, 'Not Found');
    const input = body(req);
    const edits = Object.keys(input).filter((k) => k === 'notes' || k === 'total_cost');
    if ((expense.is_locked || expense.is_billed) && edits.length > 0) return unprocessable(res, 'Expense is locked and cannot be edited');
    if (input.total_cost !== undefined && (typeof input.total_cost !== 'number' || input.total_cost < 0))
      return unprocessable(res, 'Total cost must be a number');
    const changed = edits.length > 0;
    if (typeof input.notes === 'string' || input.notes === null) expense.notes = input.notes;
    if (typeof input.total_cost === 'number') expense.total_cost = input.total_cost;
    if (changed) {
      expense.updated_at = iso(Math.max(Date.now(), Date.parse(expense.updated_at) + 1000));
      touch(state);
    }
    res.json(expenseJson(expense));
  });
}
