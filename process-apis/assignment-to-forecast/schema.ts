// Row types of assignment-to-forecast's tables (migrations 0241, 0242).
export interface AtfAssignmentsTable {
  assignment_id: string;
  engagement_id: string;
  resource_id: string;
  role: string;
  start_date: string;
  end_date: string;
  minutes_per_week: number;
  status: 'tentative' | 'confirmed' | 'cancelled';
  capacity_minutes: number;
  rate_minor: number | null;
  currency: string | null;
  updated_at_ms: number;
  /** The assignment's updatedAt on the platform when this snapshot was read. */
  source_updated_ms: number;
}

export interface AtfConflictsTable {
  id: string;
  resource_id: string;
  week_start: string;
  capacity_minutes: number;
  assigned_minutes: number;
  assignment_ids: string;
  status: 'open' | 'resolved';
  detected_at_ms: number;
}

declare module '../../core/store/schema.js' {
  interface Database {
    atf_assignments: AtfAssignmentsTable;
    atf_conflicts: AtfConflictsTable;
  }
}
