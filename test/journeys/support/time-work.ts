// Puts work into the Harvest-shaped Time sandbox for a journey test: a Harvest project
// linked to an ERP engagement in the cross-reference store (what project provisioning does
// in production), and time entries on it, billable or not. Entries start unsubmitted; the weeks
// meant to be approved are approved as a person would in Harvest's screens, through the
// sandbox's /_sandbox admin API (Harvest's own API has no approval call).
import { link } from '../../../core/xref/index.js';
import type { Store } from '../../../core/store/index.js';
import type { SandboxApp } from '../../../sandboxes/kit/index.js';
import type { TimeState } from '../../../sandboxes/time/index.js';
import { dayNumber, ENTRY_ID_BASE, FLAG } from '../../../sandboxes/time/entry-table.js';
import { roleCode } from '../../../system-apis/time/mapping.js';
import { touch } from '../../../sandboxes/time/state.js';

export interface SandboxEntry {
  nativeId: number;
  /** The Harvest user who logged it. */
  userId: number;
  projectRow: number;
  role: string;
  workDate: string;
  minutes: number;
  billable: boolean;
  approved: boolean;
}

export class SandboxTimeWork {
  readonly entries: SandboxEntry[] = [];

  constructor(
    private readonly sandbox: SandboxApp<TimeState>,
    private readonly store: Store,
    /** The sandbox's base URL, for its admin API. */
    private readonly url: string,
  ) {}

  private get state(): TimeState {
    return this.sandbox.ctx.state();
  }

  /** A new Harvest project for the engagement; returns its row. */
  async linkProject(engagementId: string, name: string): Promise<number> {
    const state = this.state;
    const row = state.projects.length;
    const id = 14_900_001 + row;
    state.projects.push({ id, name, code: null, client: 0, billable: true, active: true, createdAt: Date.now(), updatedAt: Date.now() });
    await link(this.store.db, { canonicalId: engagementId, entityType: 'engagement', platform: 'time', nativeId: String(id) });
    return row;
  }

  addEntry(e: {
    projectRow: number;
    role: string;
    workDate: string;
    minutes: number;
    /** The decimal hours Harvest records (two places); default minutes / 60. */
    hours?: number;
    billable?: boolean;
    approved?: boolean;
    user?: number;
  }): SandboxEntry {
    const state = this.state;
    const task = state.tasks.findIndex((t) => roleCode(t.name) === e.role);
    if (task < 0) throw new Error(`The Time sandbox has no task for role ${e.role}`);
    const billable = e.billable ?? true;
    const approved = e.approved ?? true;
    // Approval is per person and week: work meant to stay unapproved is logged by another person.
    const user = e.user ?? (approved ? 0 : 1);
    const row = state.entries.add({
      day: dayNumber(e.workDate),
      user,
      project: e.projectRow,
      task,
      hours: e.hours ?? e.minutes / 60,
      flags: billable ? FLAG.billable : 0,
      approval: 0,
      billableRate: state.users[user]!.billableRate,
      costRate: state.users[user]!.costRate,
      createdAt: Date.now(),
      notes: 'Delivery work',
    });
    touch(state);
    const entry: SandboxEntry = {
      nativeId: ENTRY_ID_BASE + row,
      userId: state.users[user]!.id,
      projectRow: e.projectRow,
      role: e.role,
      workDate: e.workDate,
      minutes: e.minutes,
      billable,
      approved,
    };
    this.entries.push(entry);
    return entry;
  }

  /** Submits and approves every week that holds work meant to be approved, as people do in Harvest. */
  async approveWeeks(): Promise<void> {
    const weeks = new Set(this.entries.filter((e) => e.approved).map((e) => `${e.userId} ${e.workDate}`));
    for (const week of weeks) {
      const [userId, weekOf] = week.split(' ');
      for (const action of ['submit', 'approve']) {
        const res = await fetch(`${this.url}/_sandbox/timesheet-approvals`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user_id: Number(userId), week_of: weekOf, action }),
        });
        if (res.status !== 200) throw new Error(`${action} of week ${weekOf} answered ${res.status}: ${await res.text()}`);
      }
    }
  }

  /** Whether Harvest itself has the entry flagged billed. */
  billedOnPlatform(entry: SandboxEntry): boolean {
    return (this.state.entries.flags[entry.nativeId - ENTRY_ID_BASE]! & FLAG.billed) !== 0;
  }
}
