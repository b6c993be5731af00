// POST /v2/timesheet_approvals: submit, approve or reject one user's week. Harvest approves
// timesheets per user and week in its web app; this is the sandbox's programmatic form of
// it. Approving locks and closes every submitted entry and expense of the week.
import type { Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import type { HarvestApprovalStatus, HarvestTimesheetApproval } from '../vendor-types.js';
import { APPROVAL, FLAG, dayNumber, dayString } from '../entry-table.js';
import { filterEntries } from '../entries-view.js';
import { rowById, touch, type TimeState } from '../state.js';
import { body, isDate, iso, unprocessable } from './common.js';

const TRANSITIONS: Record<string, { from: HarvestApprovalStatus[]; to: HarvestApprovalStatus }> = {
  submit: { from: ['unsubmitted'], to: 'submitted' },
  approve: { from: ['submitted'], to: 'approved' },
  reject: { from: ['submitted'], to: 'unsubmitted' },
};

export function approvalRoutes(router: Router, ctx: SandboxContext<TimeState>): void {
  router.post('/v2/timesheet_approvals', (req, res) => {
    const state = ctx.state();
    const input = body(req);
    const user = rowById(state.users, Number(input.user_id));
    if (user === undefined) return unprocessable(res, 'User is not valid');
    if (!isDate(input.week_of)) return unprocessable(res, 'week_of must be a date (YYYY-MM-DD)');
    const transition = TRANSITIONS[String(input.action)];
    if (!transition) return unprocessable(res, 'action must be submit, approve or reject');

    // Weeks start on Monday (1970-01-01 was a Thursday, so day numbers shift by 3).
    const day = dayNumber(input.week_of);
    const weekStart = day - ((day + 3) % 7);
    const weekEnd = weekStart + 6;
    const from = dayString(weekStart);
    const to = dayString(weekEnd);
    const now = Date.now();
    const t = state.entries;
    const entryRows = Array.from(filterEntries(state, { user, from, to }));
    const expenses = state.expenses.filter((e) => e.user.id === state.users[user].id && e.spent_date >= from && e.spent_date <= to);
    if (entryRows.length === 0 && expenses.length === 0) return unprocessable(res, 'There is no time or expense in this week');
    const target = APPROVAL.indexOf(transition.to) as 0 | 1 | 2;
    for (const row of entryRows) {
      if (!transition.from.includes(APPROVAL[t.approval[row]])) continue;
      t.approval[row] = target;
      if (transition.to === 'approved') t.flags[row] |= FLAG.locked | FLAG.closed;
      t.updatedAt[row] = Math.max(now, t.updatedAt[row] + 1);
    }
    for (const e of expenses) {
      if (!transition.from.includes(e.approval_status)) continue;
      e.approval_status = transition.to;
      if (transition.to === 'approved') {
        e.is_closed = true;
        e.is_locked = true;
        e.locked_reason = 'Item Approved and Locked for this Time Period';
      }
      e.updated_at = iso(now);
    }
    touch(state);
    // The week's state: approved only when nothing in it is left behind.
    const states = [...entryRows.map((r) => APPROVAL[t.approval[r]]), ...expenses.map((e) => e.approval_status)];
    const status: HarvestApprovalStatus = states.every((s) => s === 'approved')
      ? 'approved'
      : states.some((s) => s === 'submitted')
        ? 'submitted'
        : states.every((s) => s === 'unsubmitted')
          ? 'unsubmitted'
          : 'submitted';
    const answer: HarvestTimesheetApproval = {
      user_id: state.users[user].id,
      week_start: from,
      week_end: to,
      approval_status: status,
      time_entry_ids: entryRows.map((r) => t.idOf(r)).sort((a, b) => a - b),
      expense_ids: expenses.map((e) => e.id).sort((a, b) => a - b),
      updated_at: iso(now),
    };
    res.json(answer);
  });
}
