// One reconciliation exception in full: what is wrong, the records on each platform, the run that
// stopped, its history, the proposed repair and the actions that fix it.
import { canAct, exceptionActions } from './actions.js';
import { client, unwrap } from './api.js';
import { age, h, money, pageHeading, table, when } from './dom.js';
import { recordLink, STATUS_TEXT, stoppedRun } from './records.js';
import { viewHref } from './routes.js';

const fact = (term: string, value: Node | string) => [h('dt', {}, term), h('dd', {}, value)];

export async function exceptionPage(exceptionId: string, reload: () => unknown): Promise<Node[]> {
  const exception = await unwrap(client.GET('/reconciliation/exceptions/{exceptionId}', { params: { path: { exceptionId } } }));
  const actions = exceptionActions(exception, reload);
  const records = exception.records.map((r) =>
    h('tr', {}, h('td', {}, r.platform), h('td', {}, r.entity), h('td', {}, recordLink(r)), h('td', { class: 'mono' }, r.id)),
  );
  return [
    h('p', { class: 'breadcrumb' }, h('a', { href: viewHref(exception.question) }, '← Back to the view')),
    ...pageHeading(exception.title),
    h('p', { class: 'lede', id: 'exception-detail' }, exception.detail),
    h(
      'dl',
      { class: 'facts', id: 'exception-facts' },
      ...fact('Status', h('span', { class: `status ${exception.status}` }, STATUS_TEXT[exception.status])),
      ...fact('Type', exception.type),
      ...fact('Journey', exception.journey),
      ...fact('Age', age(exception.ageSeconds)),
      ...fact('Money at risk', money(exception.moneyAtRisk)),
      ...fact('Run and step that stopped', stoppedRun(exception.run)),
      ...fact('First seen', when(exception.firstSeenAt)),
      ...fact('Last seen', when(exception.lastSeenAt)),
      ...(exception.resolvedAt ? fact('Resolved', `${when(exception.resolvedAt)} by ${exception.resolvedBy ?? 'unknown'}`) : []),
      ...(exception.dismissReason ? fact('Reason for dismissal', exception.dismissReason) : []),
    ),
    h(
      'section',
      { 'aria-labelledby': 'records-title' },
      h('h2', { id: 'records-title' }, 'Records involved'),
      table('Records involved, the business record first', ['Platform', 'Record type', 'Record', 'Platform id'], records, 'No records.'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'repair-title' },
      h('h2', { id: 'repair-title' }, 'What fixes it'),
      h(
        'p',
        {},
        exception.repair.description,
        exception.repair.safe ? ' The layer makes this repair by itself when a pass runs with repair.' : ' This repair needs an operator.',
      ),
      exception.repair.runId ? h('p', {}, 'Repair run: ', h('span', { class: 'mono' }, exception.repair.runId)) : null,
      actions.length
        ? h('div', { class: 'actions' }, ...actions)
        : h(
            'p',
            { class: 'note' },
            canAct() ? 'No action applies in this status.' : 'Read-only: your token has no ops:write, so no actions are offered.',
          ),
    ),
  ].filter((n): n is HTMLElement => n !== null);
}
