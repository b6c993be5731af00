// A business view: the exceptions answering one of the five questions, with filters and paging,
// each with its records, age, money at risk, the run that stopped and the actions that fix it.
import { canAct, checkNow, exceptionActions } from './actions.js';
import { client, optional, unwrap, type Schemas } from './api.js';
import { age, h, money, moneyList, pageHeading, table, when } from './dom.js';
import { recordList, STATUS_TEXT, stoppedRun } from './records.js';
import { exceptionHref, QUESTIONS, viewHref, type Question } from './routes.js';

const STATUSES: Array<Schemas['ExceptionStatus']> = ['open', 'repairing', 'repaired', 'dismissed', 'resolved'];
const JOURNEYS: Array<Schemas['Journey']> = [
  'opportunity-to-project',
  'assignment-to-forecast',
  'time-to-billing',
  'billing-status-to-crm',
  'reconciliation',
];
const PAGE_SIZE = 25;

type Filters = {
  status?: Schemas['ExceptionStatus'];
  type?: string;
  journey?: Schemas['Journey'];
  cursor?: string;
};

function readFilters(query: URLSearchParams): Filters {
  const status = query.get('status') as Schemas['ExceptionStatus'] | null;
  const journey = query.get('journey') as Schemas['Journey'] | null;
  const type = query.get('type') ?? '';
  return {
    status: status && STATUSES.includes(status) ? status : undefined,
    journey: journey && JOURNEYS.includes(journey) ? journey : undefined,
    type: /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(type) ? type : undefined,
    cursor: query.get('cursor') || undefined,
  };
}

function select(name: string, label: string, options: string[], value: string | undefined, anyText: string) {
  const id = `filter-${name}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'select',
      { id, name },
      h('option', { value: '' }, anyText),
      ...options.map((o) => h('option', { value: o, selected: o === value }, o)),
    ),
  );
}

function filterForm(question: Question | null, filters: Filters): HTMLFormElement {
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filters' },
    select('status', 'Status', STATUSES, filters.status, 'open (default)'),
    select('journey', 'Journey', JOURNEYS, filters.journey, 'any journey'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'filter-type' }, 'Type'),
      h('input', {
        id: 'filter-type',
        name: 'type',
        value: filters.type ?? '',
        placeholder: 'e.g. won-deal-without-project',
        pattern: '[a-z][a-z0-9]*(-[a-z0-9]+)*',
        size: 28,
      }),
    ),
    h('button', { type: 'submit' }, 'Apply filters'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    location.hash = viewHref(question, {
      status: String(data.get('status') ?? ''),
      journey: String(data.get('journey') ?? ''),
      type: String(data.get('type') ?? '').trim(),
    });
  });
  return form;
}

function exceptionRow(exception: Schemas['ReconciliationException'], reload: () => unknown): HTMLTableRowElement {
  const actions = exceptionActions(exception, reload);
  return h(
    'tr',
    { 'data-exception-id': exception.id, 'data-type': exception.type },
    h('td', {}, h('a', { href: exceptionHref(exception.id), class: 'exception-link' }, exception.title), recordList(exception.records)),
    h('td', { class: 'detail' }, exception.detail),
    h('td', { class: 'num' }, age(exception.ageSeconds)),
    h('td', { class: 'num' }, money(exception.moneyAtRisk)),
    h('td', {}, stoppedRun(exception.run)),
    h('td', {}, h('span', { class: `status ${exception.status}` }, STATUS_TEXT[exception.status])),
    h(
      'td',
      { class: 'fix' },
      h('p', { class: 'repair' }, exception.repair.description),
      actions.length ? h('div', { class: 'actions' }, ...actions) : canAct() ? null : h('p', { class: 'note' }, 'Read-only: no actions.'),
    ),
  );
}

export async function viewPage(question: Question | null, query: URLSearchParams, reload: () => unknown): Promise<Node[]> {
  const filters = readFilters(query);
  const [views, page] = await Promise.all([
    optional(client.GET('/business-views')), // only for the title and totals: the list stands without them
    unwrap(
      client.GET('/reconciliation/exceptions', {
        params: { query: { ...(question ? { question } : {}), ...filters, limit: PAGE_SIZE } },
      }),
    ),
  ]);
  const view = 'data' in views ? views.data.items.find((v) => v.question === question) : undefined;
  const title = view?.title ?? QUESTIONS.find((q) => q.question === question)?.short ?? 'All reconciliation exceptions';
  const summary = view
    ? `${view.openExceptions} open · money at risk ${moneyList(view.moneyAtRisk)} · oldest ${age(view.oldestAgeSeconds)} · last checked ${when(view.lastCheckedAt)}`
    : null;
  const rows = page.items.map((e) => exceptionRow(e, reload));
  const paging = h(
    'nav',
    { class: 'paging', 'aria-label': 'Pages' },
    filters.cursor ? h('a', { href: viewHref(question, { ...filters, cursor: undefined }) }, 'First page') : null,
    filters.cursor ? h('button', { type: 'button', on: { click: () => history.back() } }, 'Previous page') : null,
    page.nextCursor ? h('a', { href: viewHref(question, { ...filters, cursor: page.nextCursor }), rel: 'next' }, 'Next page') : null,
  );
  return [
    ...pageHeading(title, view?.description),
    h('div', { class: 'toolbar' }, summary ? h('p', { class: 'view-summary' }, summary) : h('span'), checkNow(reload)),
    filterForm(question, filters),
    table(
      `${title}: ${filters.status ?? 'open'} exceptions`,
      ['Record', 'What is wrong', 'Age', 'Money at risk', 'Run and step that stopped', 'Status', 'What fixes it'],
      rows,
      filters.status && filters.status !== 'open' ? `No ${filters.status} exceptions match.` : 'Nothing to fix here.',
      'exceptions',
    ),
    paging,
  ].filter((n): n is HTMLElement => n !== null);
}
