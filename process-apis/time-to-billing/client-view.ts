// One client's billing as the process layer exposes it to experience APIs: projects,
// posted invoices, payments and approved hours, each checked to belong to the client.
// Another client's record is reported exactly as a missing one (not found).
import { ProblemError } from '../../core/problems.js';
import { z } from 'zod';
import { cursorKind, decodeOptionalCursor, encodeCursor, MAX_CURSOR_LENGTH, pageLimit, scopeOf, type Page } from '../../core/paging.js';
import type { Engagement, Invoice, Payment } from '../../system-apis/erp/canonical.js';
import type { ErpForBilling, TimeEntry, TimeForBilling } from './ports.js';

export interface ClientBillingView {
  projects(clientId: string, page: { cursor?: string; limit: number }): Promise<Page<Engagement>>;
  project(clientId: string, projectId: string): Promise<Engagement>;
  /** Posted (or paid, partly paid, void) invoices only: drafts and internal holds are not the client's to see. */
  invoices(clientId: string, query: { projectId?: string; cursor?: string; limit: number }): Promise<Page<Invoice>>;
  invoice(clientId: string, invoiceId: string): Promise<Invoice>;
  payments(clientId: string, query: { invoiceId?: string; cursor?: string; limit: number }): Promise<Page<Payment>>;
  approvedHours(
    clientId: string,
    query: { projectId?: string; from?: string; to?: string; cursor?: string; limit: number },
  ): Promise<Page<TimeEntry>>;
}

const VISIBLE = new Set<Invoice['status']>(['posted', 'partially-paid', 'paid', 'void']);

function notFound(what: string, id: string): ProblemError {
  return new ProblemError('not-found', { detail: `No ${what} ${id}.` });
}

/** Not found for the platform's 404 as for another client's record: the answers must not differ. */
async function orNotFound<T>(what: string, id: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (err instanceof ProblemError && (err.status === 404 || err.status === 422)) throw notFound(what, id);
    throw err;
  }
}

/**
 * Approved hours walk the client's projects one after the other: the cursor holds the project's
 * position and the time system's own cursor within it, bound to the client and the filters.
 * The inner cursor is the time system's, checked again there, so it carries no page size of its own.
 */
export const APPROVED_HOURS_CURSOR = cursorKind('client-billing.approved-hours', {
  p: z.number().int().min(0).max(10_000),
  c: z.string().min(1).max(MAX_CURSOR_LENGTH).optional(),
});

export function createClientBillingView(deps: { erp: ErpForBilling; time: TimeForBilling }): ClientBillingView {
  const { erp, time } = deps;

  async function project(clientId: string, projectId: string): Promise<Engagement> {
    const found = await orNotFound('project', projectId, () => erp.getProject(projectId));
    if (found.clientId !== clientId) throw notFound('project', projectId);
    return found;
  }

  async function allProjectIds(clientId: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await erp.listProjects({ clientId, limit: 200, ...(cursor ? { cursor } : {}) });
      ids.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return ids.sort();
  }

  return {
    projects: (clientId, page) => erp.listProjects({ clientId, limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}) }),
    project,
    async invoices(clientId, query) {
      if (query.projectId) await project(clientId, query.projectId);
      const page = await erp.listInvoices({
        clientId,
        limit: query.limit,
        ...(query.projectId ? { engagementId: query.projectId } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return { items: page.items.filter((i) => i.clientId === clientId && VISIBLE.has(i.status)), nextCursor: page.nextCursor };
    },
    async invoice(clientId, invoiceId) {
      const found = await orNotFound('invoice', invoiceId, () => erp.getInvoice(invoiceId));
      if (found.clientId !== clientId || !VISIBLE.has(found.status)) throw notFound('invoice', invoiceId);
      return found;
    },
    async payments(clientId, query) {
      if (query.invoiceId) await this.invoice(clientId, query.invoiceId);
      const page = await erp.listPayments({
        clientId,
        limit: query.limit,
        ...(query.invoiceId ? { invoiceId: query.invoiceId } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return { items: page.items.filter((p) => p.clientId === clientId), nextCursor: page.nextCursor };
    },
    async approvedHours(clientId, query) {
      // One project's hours, or the client's projects one after the other behind one cursor.
      const { cursor, limit: asked, ...filters } = query;
      const scope = scopeOf({ clientId, ...filters });
      let at: { p: number; c?: string } = decodeOptionalCursor(APPROVED_HOURS_CURSOR, cursor, scope) ?? { p: 0 };
      const limit = pageLimit(asked);
      const projects = query.projectId ? [(await project(clientId, query.projectId)).id] : await allProjectIds(clientId);
      const items: TimeEntry[] = [];
      while (at.p < projects.length && items.length < limit) {
        const page = await time.listTimeEntries({
          engagementId: projects[at.p]!,
          approvalStatus: 'approved',
          limit: limit - items.length,
          ...(query.from ? { from: query.from } : {}),
          ...(query.to ? { to: query.to } : {}),
          ...(at.c ? { cursor: at.c } : {}),
        });
        items.push(...page.items.filter((e) => e.billable));
        at = page.nextCursor ? { p: at.p, c: page.nextCursor } : { p: at.p + 1 };
      }
      const more = at.p < projects.length;
      return { items, nextCursor: more ? encodeCursor(APPROVED_HOURS_CURSOR, at, scope) : null };
    },
  };
}
