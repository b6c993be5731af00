// The time sandbox's own admin routes under /_sandbox: what a person does in Harvest's screens,
// which its API cannot do. Approve (submit, reject, withdraw approval of) one user's week, and
// invoice records in Harvest itself (which sets their read-only is_billed). Demo and tests only.
import type { Router } from 'express';
import { z } from 'zod';
import type { SandboxContext } from '../../kit/app.js';
import type { HarvestApprovalStatus } from '../vendor-types.js';
import { APPROVAL, FLAG, dayNumber, dayString } from '../entry-table.js';
import { filterEntries, lockedReason } from '../entries-view.js';
import { rowById, touch, type TimeState } from '../state.js';
import { iso } from './common.js';

const TRANSITIONS: Record<string, { from: HarvestApprovalStatus[]; to: HarvestApprovalStatus }> = {
  submit: { from: ['unsubmitted'], to: 'submitted' },
  approve: { from: ['submitted'], to: 'approved' },
  reject: { from: ['submitted'], to: 'unsubmitted' },
  // An administrator's "Withdraw approval": the week unlocks and waits for approval again.
  'withdraw-approval': { from: ['approved'], to: 'submitted' },
};

const approvalBody = z
  .object({
    user_id: z.number().int().positive(),
    week_of: z.iso.date(),
    action: z.enum(['submit', 'approve', 'reject', 'withdraw-approval']),
  })
  .strict();

const invoiceBody = z
  .object({
    time_entry_ids: z.array(z.number().int().positive()).max(10_000).default([]),
    expense_ids: z.array(z.number().int().positive()).max(10_000).default([]),
  })
  .strict();

/** A week's summary after an action, as the sandbox reports it (Harvest's API has no such object). */
export interface SandboxWeek {
  user_id: number;
  week_start: string;
  week_end: string;
  approval_status: HarvestApprovalStatus;
  time_entry_ids: number[];
  expense_ids: number[];
  updated_at: string;
}

function invalid(res: import('express').Response, message: string): void {
  res.status(400).json({ error: 'invalid_request', message });
}

export function timeAdminRoutes(router: Router, ctx: SandboxContext<TimeState>): void {
  // Moves one user's week (Monday to Sunday): submit, approve (locks and closes it) or reject.
  router.post('/timesheet-approvals', (req, res) => {
    const parsed = approvalBody.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const state = ctx.state();
    const input = parsed.data;
    const user = rowById(state.users, input.user_id);
    if (user === undefined) return invalid(res, 'user_id names no user');
    const transition = TRANSITIONS[input.action];

    // Weeks start on Monday (1970-01-01 was a Thursday, so day numbers shift by 3).
    const day = dayNumber(input.week_of);
    const weekStart = day - ((day + 3) % 7);
    const from = dayString(weekStart);
    const to = dayString(weekStart + 6);
    const now = Date.now();
    const t = state.entries;
    const entryRows = Array.from(filterEntries(state, { user, from, to }));
    const expenses = state.expenses.filter((e) => e.user.id === state.users[user].id && e.spent_date >= from && e.spent_date <= to);
    if (entryRows.length === 0 && expenses.length === 0) {
      res.status(422).json({ error: 'empty_week', message: 'There is no time or expense in this week' });
      return;
    }
    const target = APPROVAL.indexOf(transition.to) as 0 | 1 | 2;
    for (const row of entryRows) {
      if (!transition.from.includes(APPROVAL[t.approval[row]])) continue;
      t.approval[row] = target;
      if (transition.to === 'approved') t.flags[row] |= FLAG.locked | FLAG.closed;
      else t.flags[row] &= ~(FLAG.locked | FLAG.closed);
      t.updatedAt[row] = Math.max(now, t.updatedAt[row] + 1);
    }
    for (const e of expenses) {
      if (!transition.from.includes(e.approval)) continue;
      e.approval = transition.to;
      if (transition.to === 'approved' || transition.from.includes('approved')) {
        const approved = transition.to === 'approved';
        e.is_closed = approved;
        e.is_locked = approved || e.is_billed;
        e.locked_reason = lockedReason(approved, e.is_billed);
      }
      e.updated_at = iso(now);
    }
    touch(state);
    // The week's state: approved only when nothing in it is left behind.
    const states = [...entryRows.map((r) => APPROVAL[t.approval[r]]), ...expenses.map((e) => e.approval)];
    const status: HarvestApprovalStatus = states.every((s) => s === 'approved')
      ? 'approved'
      : states.every((s) => s === 'unsubmitted')
        ? 'unsubmitted'
        : 'submitted';
    const week: SandboxWeek = {
      user_id: state.users[user].id,
      week_start: from,
      week_end: to,
      approval_status: status,
      time_entry_ids: entryRows.map((r) => t.idOf(r)).sort((a, b) => a - b),
      expense_ids: expenses.map((e) => e.id).sort((a, b) => a - b),
      updated_at: iso(now),
    };
    res.json(week);
  });

  // Creates an invoice in Harvest from these records: each is then invoiced (is_billed, locked).
  router.post('/invoices', (req, res) => {
    const parsed = invoiceBody.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const state = ctx.state();
    const t = state.entries;
    const rows = parsed.data.time_entry_ids.map((id) => t.rowOf(id));
    const expenses = parsed.data.expense_ids.map((id) => state.expenses.find((e) => e.id === id));
    if (rows.some((r) => r === undefined) || expenses.some((e) => e === undefined)) return invalid(res, 'an id names no record');
    const id = state.nextInvoiceId++;
    const invoice = { id, number: String(id - 30_000_000) };
    const now = Date.now();
    for (const row of rows as number[]) {
      t.flags[row] |= FLAG.billed;
      t.invoices.set(row, invoice);
      t.updatedAt[row] = Math.max(now, t.updatedAt[row] + 1);
    }
    for (const e of expenses as NonNullable<(typeof expenses)[number]>[]) {
      e.is_billed = true;
      e.is_locked = true;
      e.locked_reason = lockedReason(e.is_closed, true);
      e.invoice = invoice;
      e.updated_at = iso(now);
    }
    touch(state);
    res.status(201).json({ invoice, time_entry_ids: parsed.data.time_entry_ids, expense_ids: parsed.data.expense_ids });
  });
}
