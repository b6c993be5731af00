// Row types of time-to-billing's tables (migration 0240), added to the one Database type.
import type { Generated } from 'kysely';

/**
 * allocated: drafted in the layer, not in ERP yet; created: in ERP, not posted yet; posted: posted
 * in ERP, work not yet marked billed; marked: done. The first two are the posting backlog.
 */
export type BillingInvoiceState = 'allocated' | 'created' | 'posted' | 'marked';

/** The states of an invoice ERP holds (created, posted or done). */
export const IN_ERP_STATES: readonly BillingInvoiceState[] = ['created', 'posted', 'marked'];

export interface TtbInvoicesTable {
  /** The canonical id the layer gives this invoice before ERP has one; also the allocation key. */
  id: string;
  engagement_id: string;
  period_key: string;
  sequence: number;
  run_id: string;
  state: BillingInvoiceState;
  erp_invoice_id: string | null;
  currency: string;
  subtotal_minor: number;
  tax_minor: number;
  total_minor: number;
  /** The invoice as drafted (JSON): what is posted to ERP, unchanged on every retry. */
  draft: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface TtbAllocationsTable {
  source_id: string;
  source_kind: 'time-entry' | 'expense' | 'milestone';
  invoice_key: string;
  line_index: number;
  minutes: number;
  hundredths: number | null;
  marked: Generated<number>;
}

export interface TtbHoldsTable {
  engagement_id: string;
  since_ms: number;
  reason: string | null;
  waiting_minutes: number;
  waiting_entries: number;
  waiting_amount_minor: number | null;
  currency: string | null;
  updated_at_ms: number;
}

declare module '../../core/store/schema.js' {
  interface Database {
    ttb_invoices: TtbInvoicesTable;
    ttb_allocations: TtbAllocationsTable;
    ttb_holds: TtbHoldsTable;
  }
}
