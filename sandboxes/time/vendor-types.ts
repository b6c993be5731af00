// Harvest API v2 payloads as this sandbox stores and serves them, written from Harvest's API
// documentation and not from the time connector, so that the two can disagree. Ids are
// integers, hours decimal, money a JSON number in the client's currency, dates `YYYY-MM-DD`.

/**
 * Where an entry or expense stands in the timesheet approval flow. Harvest keeps this but its
 * API does not serve it: a record only shows `is_closed` (approved) and `is_locked`/`locked_reason`.
 */
export type HarvestApprovalStatus = 'unsubmitted' | 'submitted' | 'approved';

/** An embedded reference: Harvest nests `{id, name}` for the user, client, project and task. */
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
  /** Approved through Timesheet Approval. */
  is_closed: boolean;
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
  bill_by: 'Project' | 'Tasks' | 'People' | 'none';
  created_at: string;
  updated_at: string;
}

/**
 * The paging fields around every Harvest list, with the `links` to neighbouring pages. Lists
 * paged by cursor answer `page`, `next_page` and `previous_page` as null except on the first and
 * last pages; a client follows `links.next` either way.
 */
export interface HarvestPage {
  per_page: number;
  total_pages: number;
  total_entries: number;
  next_page: number | null;
  previous_page: number | null;
  page: number | null;
  links: { first: string; next: string | null; previous: string | null; last: string };
}
export type HarvestTimeEntriesPage = HarvestPage & { time_entries: HarvestTimeEntry[] };
export type HarvestExpensesPage = HarvestPage & { expenses: HarvestExpense[] };
