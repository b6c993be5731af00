// Payload types of the scheduling platform's API, Float API v3 shape (https://api.float.com/v3).
// Float calls allocations "tasks"; ids are integers; rates are decimal strings in the
// account currency; booleans are often 0/1 integers.

/** people_type_id: 1 employee, 2 contractor, 3 placeholder (an unnamed seat to be filled). */
export type FloatPeopleType = 1 | 2 | 3;
/** task status: 1 tentative, 2 confirmed, 3 complete. */
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
  people_type_id: FloatPeopleType;
  /** Bill rate, decimal string in the account currency ("150.00"), or null. */
  default_hourly_rate: string | null;
  /** Cost rate, decimal string in the account currency, or null. */
  cost_rate: string | null;
  /** Hours per weekday, Monday first (7 numbers; decimals allowed, e.g. 7.5). */
  work_days_hours: number[];
  /** 1 active, 0 archived. */
  active: 0 | 1;
  tags: string[];
  start_date: string | null;
  end_date: string | null;
  created: string;
  modified: string;
}

export interface FloatPersonInput {
  name: string;
  email?: string | null;
  job_title?: string | null;
  department_id?: number | null;
  employee_type?: 0 | 1;
  people_type_id?: FloatPeopleType;
  default_hourly_rate?: string | null;
  cost_rate?: string | null;
  work_days_hours?: number[];
  active?: 0 | 1;
  tags?: string[];
}

export interface FloatProject {
  project_id: number;
  name: string;
  client_id: number | null;
  /** Budget total as a decimal string in the account currency, or null. */
  budget_total: string | null;
  /** 1 = non-billable, 0 = billable. */
  non_billable: 0 | 1;
  tentative: 0 | 1;
  active: 0 | 1;
  tags: string[];
  notes: string | null;
  created: string;
  modified: string;
}

export interface FloatProjectInput {
  name: string;
  client_id?: number | null;
  budget_total?: string | null;
  non_billable?: 0 | 1;
  tentative?: 0 | 1;
  active?: 0 | 1;
  tags?: string[];
  notes?: string | null;
}

/** An allocation ("task" in Float): a person on a project for hours per day over a date range. */
export interface FloatTask {
  task_id: number;
  project_id: number;
  people_id: number;
  /** YYYY-MM-DD, inclusive. */
  start_date: string;
  end_date: string;
  /** Hours per day (decimal, e.g. 4 or 7.5). */
  hours: number;
  status: FloatTaskStatus;
  name: string | null;
  notes: string | null;
  created: string;
  modified: string;
}

export interface FloatTaskInput {
  project_id: number;
  people_id: number;
  start_date: string;
  end_date: string;
  hours: number;
  status?: FloatTaskStatus;
  name?: string | null;
  notes?: string | null;
}

/** Float's error body (a Yii-style object) for 401/403/404/429/5xx. */
export interface FloatError {
  name: string;
  message: string;
  code: number;
  status: number;
}

/** Float's 422 body: one entry per invalid field. */
export type FloatValidationErrors = Array<{ field: string; message: string }>;

/** Outbound webhook payload for allocation changes. */
export interface FloatTaskWebhook {
  event: 'task.created' | 'task.updated' | 'task.deleted';
  account_id: number;
  timestamp: string;
  data: FloatTask;
}
