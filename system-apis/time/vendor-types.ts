// Payload types of the time platform's API, Harvest API v2 shape (https://api.harvestapp.com/v2).
// Ids are integers; hours are decimals (1.25); money fields are JSON numbers in the
// client's currency; instants are RFC 3339 UTC; spent_date is a plain date.

export interface HarvestRef {
  id: number;
  name: string;
}

export interface HarvestTimeEntry {
  id: number;
  spent_date: string;
  user: HarvestRef;
  client: HarvestRef & { currency: string };
  project: HarvestRef & { code: string | null };
  task: HarvestRef;
  hours: number;
  hours_without_timer: number;
  rounded_hours: number;
  notes: string | null;
  is_locked: boolean;
  locked_reason: string | null;
  /** true once approved through Timesheet Approval; the API reports approval no other way. */
  is_closed: boolean;
  /** Read-only: true once one of Harvest's own invoices includes the entry. */
  is_billed: boolean;
  invoice: { id: number; number: string } | null;
  external_reference: { id: string; group_id: string | null; permalink: string | null; service: string | null } | null;
  is_running: boolean;
  timer_started_at: string | null;
  billable: boolean;
  budgeted: boolean;
  billable_rate: number | null;
  cost_rate: number | null;
  created_at: string;
  updated_at: string;
}

export interface HarvestTimeEntryInput {
  user_id?: number;
  project_id: number;
  task_id: number;
  spent_date: string;
  hours?: number;
  notes?: string | null;
  external_reference?: { id: string; group_id?: string; permalink?: string; service?: string };
}

export interface HarvestExpense {
  id: number;
  spent_date: string;
  user: HarvestRef;
  client: HarvestRef & { currency: string };
  project: HarvestRef & { code: string | null };
  expense_category: HarvestRef & { unit_price: number | null; unit_name: string | null };
  notes: string | null;
  units: number | null;
  total_cost: number;
  billable: boolean;
  is_closed: boolean;
  is_locked: boolean;
  is_billed: boolean;
  locked_reason: string | null;
  invoice: { id: number; number: string } | null;
  receipt: { url: string; file_name: string; file_size: number; content_type: string } | null;
  created_at: string;
  updated_at: string;
}

export interface HarvestExpenseInput {
  user_id?: number;
  project_id: number;
  expense_category_id: number;
  spent_date: string;
  total_cost?: number;
  units?: number;
  notes?: string | null;
  billable?: boolean;
}

export interface HarvestLinks {
  first: string;
  next: string | null;
  previous: string | null;
  last: string;
}

/**
 * Harvest's paged list envelope; the records sit under a key named for the resource. Lists paged
 * by cursor answer page/next_page/previous_page as null between the first and last pages: the
 * only way on is `links.next`, which Harvest asks clients to follow rather than build.
 */
export interface HarvestPage {
  per_page: number;
  total_pages: number;
  total_entries: number;
  next_page: number | null;
  previous_page: number | null;
  page: number | null;
  links: HarvestLinks;
}
export type HarvestTimeEntriesPage = HarvestPage & { time_entries: HarvestTimeEntry[] };
export type HarvestExpensesPage = HarvestPage & { expenses: HarvestExpense[] };

/** 401/403 body (OAuth-style). */
export interface HarvestAuthError {
  error: string;
  error_description: string;
}

/** 404/429/5xx body. */
export interface HarvestStatusError {
  status: number;
  error: string;
}

/** 422 body. */
export interface HarvestValidationError {
  message: string;
}

export interface HarvestClient {
  id: number;
  name: string;
  is_active: boolean;
  currency: string;
  created_at: string;
  updated_at: string;
}

export interface HarvestProject {
  id: number;
  client: HarvestRef & { currency: string };
  name: string;
  code: string | null;
  is_active: boolean;
  is_billable: boolean;
  /** How billable rates apply: Project, Tasks, People or none. */
  bill_by: 'Project' | 'Tasks' | 'People' | 'none';
  created_at: string;
  updated_at: string;
}

export interface HarvestProjectInput {
  client_id: number;
  name: string;
  code?: string | null;
  is_billable?: boolean;
  is_active?: boolean;
  bill_by?: HarvestProject['bill_by'];
}

export type HarvestProjectsPage = HarvestPage & { projects: HarvestProject[] };
export type HarvestClientsPage = HarvestPage & { clients: HarvestClient[] };
