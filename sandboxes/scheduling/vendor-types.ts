// Float API v3 payloads as this sandbox stores and serves them, written from Float's API
// documentation and not from the scheduling connector, so that the two can disagree.
// Float names an allocation a "task"; ids are integers and flags are 0/1.

/** Allocation status: 1 tentative, 2 confirmed, 3 complete. */
export type FloatTaskStatus = 1 | 2 | 3;

export interface FloatDepartment {
  department_id: number;
  name: string;
}

export interface FloatPerson {
  people_id: number;
  name: string;
  email: string | null;
  job_title: string | null;
  department: FloatDepartment | null;
  /** 1 full-time, 0 part-time. */
  employee_type: 0 | 1;
  /** 1 employee, 2 contractor, 3 placeholder. */
  people_type_id: 1 | 2 | 3;
  /** Decimal strings in the account currency. */
  default_hourly_rate: string | null;
  cost_rate: string | null;
  /** Seven numbers, Monday first: the hours the person works on each weekday. */
  work_days_hours: number[];
  active: 0 | 1;
  tags: string[];
  start_date: string | null;
  end_date: string | null;
  created: string;
  modified: string;
}

export interface FloatProject {
  project_id: number;
  name: string;
  client_id: number | null;
  budget_total: string | null;
  non_billable: 0 | 1;
  tentative: 0 | 1;
  active: 0 | 1;
  tags: string[];
  notes: string | null;
  created: string;
  modified: string;
}

/** An allocation: one person on one project, `hours` per working day from start to end date inclusive. */
export interface FloatTask {
  task_id: number;
  project_id: number;
  people_id: number;
  start_date: string;
  end_date: string;
  hours: number;
  status: FloatTaskStatus;
  name: string | null;
  notes: string | null;
  created: string;
  modified: string;
}

/** Float's error body for authentication, permission, not-found, rate and server errors. */
export interface FloatError {
  name: string;
  message: string;
  code: number;
  status: number;
}

/** Float's 422 body: one entry per field that failed validation. */
export type FloatValidationErrors = Array<{ field: string; message: string }>;

/** What the sandbox posts to a subscriber when an allocation is created, changed or deleted. */
export interface FloatTaskWebhook {
  event: 'task.created' | 'task.updated' | 'task.deleted';
  account_id: number;
  timestamp: string;
  data: FloatTask;
}
