// In-memory state of the Float-shaped scheduling sandbox: people, projects and
// allocations ("tasks") keyed by Float's integer ids.
import type { FloatDepartment, FloatPerson, FloatProject, FloatTask } from './vendor-types.js';

export interface SchedulingState {
  /** The bearer token the sandbox accepts (Float issues one API key per account). */
  apiToken: string;
  accountId: number;
  /** Float accounts hold all rates and budgets in one currency. */
  currency: string;
  departments: Map<number, FloatDepartment>;
  people: Map<number, FloatPerson>;
  projects: Map<number, FloatProject>;
  tasks: Map<number, FloatTask>;
  nextId: { people: number; project: number; task: number };
  /** Fixed-window request budgets (GET apart from the rest), as Float answers them in X-RateLimit-* headers. */
  rateWindows: Record<'read' | 'write', { startedAt: number; used: number }>;
}

export const SCHEDULING_SANDBOX_TOKEN = 'sandbox-scheduling-token';

/** Float's timestamp format: "YYYY-MM-DD HH:MM:SS" in UTC. */
export function floatNow(now = new Date()): string {
  return now.toISOString().slice(0, 19).replace('T', ' ');
}

export function emptySchedulingState(token = SCHEDULING_SANDBOX_TOKEN): SchedulingState {
  return {
    apiToken: token,
    accountId: 310001,
    currency: 'EUR',
    departments: new Map(),
    people: new Map(),
    projects: new Map(),
    tasks: new Map(),
    nextId: { people: 10001, project: 20001, task: 5000001 },
    rateWindows: { read: { startedAt: 0, used: 0 }, write: { startedAt: 0, used: 0 } },
  };
}
