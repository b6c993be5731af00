// Reads over the entry table: filtering (cached per query and state version, so paging
// through a large result scans the table once) and turning a row into Harvest's JSON.
import type { HarvestExpense, HarvestTimeEntry } from './vendor-types.js';
import { FLAG, dayNumber, dayString } from './entry-table.js';
import { iso } from './routes/common.js';
import type { StoredExpense, TimeState } from './state.js';

export interface EntryFilter {
  user?: number;
  client?: number;
  project?: number;
  task?: number;
  billed?: boolean;
  running?: boolean;
  approval?: 0 | 1 | 2;
  updatedSince?: number;
  from?: string;
  to?: string;
}

const MAX_CACHED_QUERIES = 32;

export function filterEntries(state: TimeState, f: EntryFilter): Int32Array {
  const key = JSON.stringify(f);
  const cached = state.queryCache.get(key);
  if (cached && cached.version === state.version) return cached.rows;
  const t = state.entries;
  const from = f.from ? dayNumber(f.from) : -Infinity;
  const to = f.to ? dayNumber(f.to) : Infinity;
  const clientProjects = f.client === undefined ? undefined : new Set(state.projects.flatMap((p, i) => (p.client === f.client ? [i] : [])));
  // A project filter reads that project's own rows (kept in listing order), not the whole table.
  const candidates: ArrayLike<number> = f.project === undefined ? t.order.subarray(0, t.size) : t.rowsOfProject(f.project);
  const out = new Int32Array(candidates.length);
  let n = 0;
  for (let i = 0; i < candidates.length; i++) {
    const r = candidates[i];
    const flags = t.flags[r];
    if (flags & FLAG.deleted) continue;
    const day = t.day[r];
    if (day > to) continue;
    if (day < from) break; // listing order is by date descending: nothing older can match
    if (f.user !== undefined && t.user[r] !== f.user) continue;
    if (f.project !== undefined && t.project[r] !== f.project) continue;
    if (clientProjects && !clientProjects.has(t.project[r])) continue;
    if (f.task !== undefined && t.task[r] !== f.task) continue;
    if (f.billed !== undefined && Boolean(flags & FLAG.billed) !== f.billed) continue;
    if (f.running !== undefined && Boolean(flags & FLAG.running) !== f.running) continue;
    if (f.approval !== undefined && t.approval[r] !== f.approval) continue;
    if (f.updatedSince !== undefined && t.updatedAt[r] < f.updatedSince) continue;
    out[n++] = r;
  }
  const rows = out.slice(0, n);
  if (state.queryCache.size >= MAX_CACHED_QUERIES) state.queryCache.delete(state.queryCache.keys().next().value as string);
  state.queryCache.set(key, { version: state.version, rows });
  return rows;
}

/** Harvest's wording for why a record is locked (its documented examples). */
export function lockedReason(approved: boolean, invoiced: boolean): string | null {
  if (invoiced)
    return approved ? 'Item Invoiced and Approved and Locked for this Time Period' : 'Item Invoiced and Locked for this Time Period';
  return approved ? 'Item Approved and Locked for this Time Period' : null;
}

/** An expense as Harvest serves it: without the approval state it keeps to itself. */
export function expenseJson(e: StoredExpense): HarvestExpense {
  const { approval: _approval, ...served } = e;
  return served;
}

export function entryJson(state: TimeState, row: number): HarvestTimeEntry {
  const t = state.entries;
  const user = state.users[t.user[row]];
  const project = state.projects[t.project[row]];
  const client = state.clients[project.client];
  const task = state.tasks[t.task[row]];
  const flags = t.flags[row];
  const hours = t.hours[row];
  const locked = Boolean(flags & FLAG.locked);
  const billed = Boolean(flags & FLAG.billed);
  return {
    id: t.idOf(row),
    spent_date: dayString(t.day[row]),
    user: { id: user.id, name: user.name },
    client: { id: client.id, name: client.name, currency: client.currency },
    project: { id: project.id, name: project.name, code: project.code },
    task: { id: task.id, name: task.name },
    hours,
    hours_without_timer: hours,
    // Harvest's optional rounding to the next quarter hour, as an account setting would apply it.
    rounded_hours: Math.ceil(hours * 4 - 1e-9) / 4,
    notes: t.notes[row],
    is_locked: locked || billed,
    locked_reason: lockedReason(locked, billed),
    is_closed: Boolean(flags & FLAG.closed),
    is_billed: billed,
    invoice: t.invoices.get(row) ?? null,
    external_reference: null,
    is_running: Boolean(flags & FLAG.running),
    timer_started_at: null,
    billable: Boolean(flags & FLAG.billable),
    budgeted: true,
    billable_rate: flags & FLAG.billable ? t.billableRate[row] : null,
    cost_rate: t.costRate[row],
    created_at: iso(t.createdAt[row]),
    updated_at: iso(t.updatedAt[row]),
  };
}
