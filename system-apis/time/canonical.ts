// Canonical time records, as generated from openapi/system/time.v1.yaml (which takes them
// from openapi/components). No vendor field name appears here.
import type { components } from '../../generated/openapi/system/time.v1.js';

type Schemas = components['schemas'];
export type TimeEntry = Schemas['TimeEntry'];
export type Expense = Schemas['Expense'];
export type ApprovalStatus = Schemas['ApprovalStatus'];
export type BillingStatus = Schemas['BillingStatus'];
export type TimesheetApproval = Schemas['TimesheetApproval'];
export type TimesheetApprovalInput = Schemas['TimesheetApprovalInput'];
export type TimeEntryBilling = Schemas['TimeEntryBilling'];
export type ExpenseBilling = Schemas['ExpenseBilling'];
export type Money = Schemas['Money'];
export type ExpenseCategory = Expense['category'];
export type TimeProject = Schemas['TimeProject'];
export type TimeProjectInput = Schemas['TimeProjectInput'];
