// The invoice posting backlog: invoices time-to-billing drafted (or created in ERP) and ERP has not
// posted yet, with the money they hold per currency and the age of the oldest, read on a schedule
// from the layer's billing records (a range of ttb_invoices_state_idx: few rows by nature).
import type { Kysely } from 'kysely';
import type { GaugeSampler } from '../../core/observability/sampled-gauges.js';
import type { Database } from '../../core/store/schema.js';
import type { BillingInvoiceState } from './schema.js';
import './schema.js';

/** Drafted in the layer, or created in ERP but not yet posted there. */
export const UNPOSTED_STATES: readonly BillingInvoiceState[] = ['allocated', 'created'];

export interface PostingBacklog {
  byCurrency: Array<{ currency: string; invoices: number; totalMinor: number }>;
  /** Epoch ms the oldest unposted invoice was drafted, when there is one. */
  oldestDraftedMs?: number;
}

export async function readPostingBacklog(db: Kysely<Database>): Promise<PostingBacklog> {
  const rows = await db
    .selectFrom('ttb_invoices')
    .select([
      'currency',
      (eb) => eb.fn.countAll<string>().as('n'),
      (eb) => eb.fn.sum<string>('total_minor').as('total'),
      (eb) => eb.fn.min('created_at_ms').as('oldest'),
    ])
    .where('state', 'in', [...UNPOSTED_STATES])
    .groupBy('currency')
    .orderBy('currency')
    .execute();
  const oldest = rows.map((r) => Number(r.oldest)).filter((ms) => Number.isFinite(ms) && ms > 0);
  return {
    byCurrency: rows.map((r) => ({ currency: r.currency, invoices: Number(r.n), totalMinor: Number(r.total ?? 0) })),
    ...(oldest.length ? { oldestDraftedMs: Math.min(...oldest) } : {}),
  };
}

/** Registers the backlog's gauges on the sampler (the composition root's, on the gateway's registry). */
export function samplePostingBacklog(sampler: GaugeSampler, db: Kysely<Database>): void {
  sampler.add('invoice-posting-backlog', () => readPostingBacklog(db), [
    {
      name: 'layer_invoice_posting_backlog_invoices',
      help: 'Invoices time-to-billing drafted that ERP has not posted yet (drafted in the layer, or created in ERP unposted).',
      labelNames: [],
      set: (gauge, backlog) => gauge.set(backlog.byCurrency.reduce((sum, c) => sum + c.invoices, 0)),
    },
    {
      name: 'layer_invoice_posting_backlog_minor',
      help: 'Money on invoices not yet posted in ERP, in minor units of each currency (their totals, tax included).',
      labelNames: ['currency'],
      set(gauge, backlog) {
        for (const c of backlog.byCurrency) gauge.set({ currency: c.currency }, c.totalMinor);
      },
    },
    {
      name: 'layer_invoice_posting_backlog_oldest_age_seconds',
      help: 'Age of the oldest invoice not yet posted in ERP, from its draft (0 when none waits).',
      labelNames: [],
      set: (gauge, backlog, now) =>
        gauge.set(backlog.oldestDraftedMs === undefined ? 0 : Math.max(0, (now - backlog.oldestDraftedMs) / 1000)),
    },
  ]);
}
