// Thin routes of the client portal API v1. Every answer is scoped to the token's
// `client_account` claim; the process layer reports another client's ids as not found.
import { pageLimit } from '../../core/paging.js';
import { Router, type Request, type Response } from 'express';
import { ProblemError } from '../../core/problems.js';
import type { ClientBillingView } from '../../process-apis/time-to-billing/index.js';
import { approvedHours, portalInvoice, portalInvoiceStatus, portalPayment, portalProject, type PortalInvoiceStatus } from './mapping.js';

const str = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);
const paging = (req: Request) => ({
  limit: pageLimit(req.query.limit),
  ...(str(req, 'cursor') ? { cursor: str(req, 'cursor')! } : {}),
});
const today = () => new Date().toISOString().slice(0, 10);

/** The caller's client; a token without the claim is not a portal user's. */
function clientOf(req: Request): string {
  const client = req.auth?.clientAccount;
  if (!client)
    throw new ProblemError('forbidden', { detail: 'The token carries no client_account claim; the portal serves client users only.' });
  return client;
}

function send(res: Response, body: unknown): void {
  res.set('Cache-Control', 'no-store').json(body);
}

/** What the portal may call: one client's billing view from time-to-billing. */
export interface PortalCalls {
  clientBilling: ClientBillingView;
}

export function portalRoutes({ clientBilling: view }: PortalCalls): Router {
  const router = Router();

  router.get('/projects', async (req, res) => {
    const page = await view.projects(clientOf(req), paging(req));
    send(res, { items: page.items.map(portalProject), nextCursor: page.nextCursor });
  });
  router.get('/projects/:projectId', async (req, res) =>
    send(res, portalProject(await view.project(clientOf(req), String(req.params.projectId)))),
  );

  router.get('/invoices', async (req, res) => {
    const status = str(req, 'status') as PortalInvoiceStatus | undefined;
    const on = today();
    const page = await view.invoices(clientOf(req), {
      ...paging(req),
      ...(str(req, 'projectId') ? { projectId: str(req, 'projectId')! } : {}),
    });
    const items = page.items
      .filter((inv) => !status || portalInvoiceStatus(inv, on) === status)
      .map((inv) => portalInvoice(inv, on, false));
    send(res, { items, nextCursor: page.nextCursor });
  });
  router.get('/invoices/:invoiceId', async (req, res) =>
    send(res, portalInvoice(await view.invoice(clientOf(req), String(req.params.invoiceId)), today(), true)),
  );

  router.get('/payments', async (req, res) => {
    const page = await view.payments(clientOf(req), {
      ...paging(req),
      ...(str(req, 'invoiceId') ? { invoiceId: str(req, 'invoiceId')! } : {}),
    });
    send(res, { items: page.items.map(portalPayment), nextCursor: page.nextCursor });
  });

  router.get('/approved-hours', async (req, res) => {
    const page = await view.approvedHours(clientOf(req), {
      ...paging(req),
      ...(str(req, 'projectId') ? { projectId: str(req, 'projectId')! } : {}),
      ...(str(req, 'from') ? { from: str(req, 'from')! } : {}),
      ...(str(req, 'to') ? { to: str(req, 'to')! } : {}),
    });
    send(res, { items: page.items.map(approvedHours), nextCursor: page.nextCursor });
  });
  return router;
}
