// The console's places, kept in the URL fragment (#/views/blocked-invoices?status=open), so that
// every page is a link: it can be bookmarked, opened with Enter, and the Back button works.
import type { Schemas } from './api.js';

export type Question = Schemas['ReconciliationQuestion'];

/** The five business views, in the order the operations team asks them, with a short name for the navigation. */
export const QUESTIONS: Array<{ question: Question; short: string }> = [
  { question: 'failed-provisioning', short: 'Failed provisioning' },
  { question: 'out-of-sync-assignments', short: 'Assignments out of sync' },
  { question: 'unbilled-approved-time', short: 'Time not in ERP' },
  { question: 'blocked-invoices', short: 'Blocked invoices' },
  { question: 'mismatched-billing-status', short: 'Billing mismatches' },
];

export type Route =
  | { page: 'overview'; hours: number }
  | { page: 'view'; question: Question | null; query: URLSearchParams }
  | { page: 'exception'; id: string }
  | { page: 'executive' }
  | { page: 'runs' };

export function parseRoute(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#/, '').split('?');
  const query = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'views' && QUESTIONS.some((q) => q.question === parts[1]))
    return { page: 'view', question: parts[1] as Question, query };
  if (parts[0] === 'views' && parts[1] === 'all') return { page: 'view', question: null, query };
  if (parts[0] === 'exceptions' && parts[1]) return { page: 'exception', id: parts[1] };
  if (parts[0] === 'executive') return { page: 'executive' };
  if (parts[0] === 'runs') return { page: 'runs' };
  const hours = Number(query.get('hours'));
  return { page: 'overview', hours: Number.isInteger(hours) && hours >= 1 && hours <= 2160 ? hours : 24 };
}

/** A business view (or every exception, for `null`), with its filters. */
export function viewHref(question: Question | null, query: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => !!e[1])).toString();
  return `#/views/${question ?? 'all'}${search ? `?${search}` : ''}`;
}

export const exceptionHref = (id: string) => `#/exceptions/${encodeURIComponent(id)}`;

/**
 * The console page for a path of the operations API (an executive figure's `link`): exceptions
 * open their business view with the same filters, runs and dead letters open that page; a path
 * the console has no page for opens the API's JSON itself (it needs the token, so only as text).
 */
export function hrefForApiPath(link: string): string | null {
  const [path, search = ''] = link.split('?');
  const query = new URLSearchParams(search);
  if (path === '/reconciliation/exceptions') {
    const question = query.get('question');
    query.delete('question');
    const known = QUESTIONS.find((q) => q.question === question);
    return viewHref(known ? known.question : null, Object.fromEntries(query));
  }
  const exception = /^\/reconciliation\/exceptions\/([^/]+)$/.exec(path);
  if (exception) return exceptionHref(exception[1]);
  if (path === '/runs' || path === '/dead-letters' || path.startsWith('/runs/') || path.startsWith('/dead-letters/')) return '#/runs';
  if (path === '/summary' || path === '/business-views') return '#/overview';
  return null;
}
