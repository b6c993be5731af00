// Canonical scheduling records as the system API exposes them (openapi/system/scheduling.v1.yaml).
// No vendor field name appears here; ids are canonical UUIDv7 from the cross-reference store.
import type { Money } from '../../core/money.js';

export type { Money };

export type EmploymentType = 'employee' | 'contractor' | 'placeholder';

export interface Resource {
  id: string;
  name: string;
  email: string | null;
  role: string | null;
  department: string | null;
  employmentType: EmploymentType;
  fullTime: boolean;
  costRate: Money | null;
  billRate: Money | null;
  /** Minutes of capacity per weekday, Monday first (7 integers). */
  dailyCapacityMinutes: number[];
  weeklyCapacityMinutes: number;
  active: boolean;
  updatedAt: string;
}

export interface SchedulingProject {
  id: string;
  name: string;
  billable: boolean;
  tentative: boolean;
  active: boolean;
  budget: Money | null;
  tags: string[];
  updatedAt: string;
}

export interface SchedulingProjectInput {
  name: string;
  billable?: boolean;
  tentative?: boolean;
  budget?: Money | null;
  tags?: string[];
}

export type AssignmentStatus = 'tentative' | 'confirmed' | 'completed';

export interface Assignment {
  id: string;
  resourceId: string;
  projectId: string;
  /** Plain dates, inclusive. */
  startDate: string;
  endDate: string;
  minutesPerDay: number;
  status: AssignmentStatus;
  notes: string | null;
  updatedAt: string;
}

export interface AssignmentInput {
  resourceId: string;
  projectId: string;
  startDate: string;
  endDate: string;
  minutesPerDay: number;
  status?: AssignmentStatus;
  notes?: string | null;
}

export type StaffingRequestStatus = 'open' | 'filled' | 'cancelled';

/**
 * A request for someone in a role on a project. The platform has no native staffing
 * request: it is held as a tentative allocation on a placeholder person whose job title
 * is the role; filling it moves the allocation to a real person and confirms it.
 */
export interface StaffingRequest {
  id: string;
  projectId: string;
  role: string;
  startDate: string;
  endDate: string;
  minutesPerDay: number;
  status: StaffingRequestStatus;
  /** The resource that fills it, once filled. */
  resourceId: string | null;
  notes: string | null;
  updatedAt: string;
}

export interface StaffingRequestInput {
  projectId: string;
  role: string;
  startDate: string;
  endDate: string;
  minutesPerDay: number;
  notes?: string | null;
}
