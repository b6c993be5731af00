// State of the Harvest-shaped time sandbox: reference data (users, clients, projects,
// tasks, expense categories) as small arrays, time entries in a compact column table,
// expenses as plain records, and the per-token request log behind the 429 answers.
import type { HarvestApprovalStatus, HarvestExpense } from './vendor-types.js';
import { EntryTable } from './entry-table.js';

export interface TimeUser {
  id: number;
  name: string;
  billableRate: number;
  costRate: number;
}
export interface TimeClient {
  id: number;
  name: string;
  currency: string;
}
export interface TimeProject {
  id: number;
  name: string;
  code: string | null;
  client: number; // row in clients
  billable: boolean;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}
export interface TimeTask {
  id: number;
  name: string;
}
export interface TimeExpenseCategory {
  id: number;
  name: string;
  unit_price: number | null;
  unit_name: string | null;
}

/** An expense as the sandbox holds it: Harvest's shape plus the approval state Harvest keeps but does not serve. */
export interface StoredExpense extends HarvestExpense {
  approval: HarvestApprovalStatus;
}

export interface TimeState {
  accessToken: string;
  accountId: string;
  users: TimeUser[];
  clients: TimeClient[];
  projects: TimeProject[];
  tasks: TimeTask[];
  expenseCategories: TimeExpenseCategory[];
  entries: EntryTable;
  expenses: StoredExpense[];
  nextExpenseId: number;
  nextInvoiceId: number;
  /** Bumped on every change; cached query results of an older version are dropped. */
  version: number;
  queryCache: Map<string, { version: number; rows: Int32Array }>;
  /** Times (ms) of the most recent requests per token, for the sliding-window limit. */
  requestLog: Map<string, number[]>;
}

export const TIME_SANDBOX_TOKEN = 'sandbox-time-token';
export const TIME_SANDBOX_ACCOUNT_ID = '100001';

/** Finds a row by vendor id in one of the small reference arrays (ids are base + row). */
export function rowById<T extends { id: number }>(rows: readonly T[], id: number): number | undefined {
  const guess = rows.length > 0 ? id - rows[0].id : -1;
  if (guess >= 0 && guess < rows.length && rows[guess].id === id) return guess;
  const found = rows.findIndex((r) => r.id === id);
  return found < 0 ? undefined : found;
}

export function emptyTimeState(): TimeState {
  return {
    accessToken: TIME_SANDBOX_TOKEN,
    accountId: TIME_SANDBOX_ACCOUNT_ID,
    users: [],
    clients: [],
    projects: [],
    tasks: [],
    expenseCategories: [],
    entries: new EntryTable(),
    expenses: [],
    nextExpenseId: 15_000_001,
    nextInvoiceId: 30_000_001,
    version: 0,
    queryCache: new Map(),
    requestLog: new Map(),
  };
}

export function touch(state: TimeState): void {
  state.version++;
  state.queryCache.clear();
}
