// The overview's Alerts panel: what the layer's own alert evaluation has firing, then pending, each
// with its severity, since when, summary and runbook; or, when the layer evaluates no alerts, who does.
import { client, optional, type Schemas } from './api.js';
import { h, table, when } from './dom.js';

export const ALERTS_OFF = 'The layer does not evaluate alerts: ALERT_WEBHOOK_URL is not set; Prometheus does.';

// The shipped rules name a file of the repository, which the console does not serve: shown as the
// path to open there. A firm's rule with a full URL gets a link.
function runbook(url: string | null): Node | string {
  if (!url) return '—';
  return /^https?:\/\//i.test(url) ? h('a', { href: url, class: 'runbook' }, url) : h('span', { class: 'mono runbook' }, url);
}

function alertRow(alert: Schemas['LayerAlert']): HTMLTableRowElement {
  const since = alert.state === 'firing' ? alert.firedAt : alert.activeAt;
  return h(
    'tr',
    { 'data-alert': alert.fingerprint, class: `alert ${alert.state}` },
    h('td', { class: `severity ${alert.severity ?? 'none'}` }, alert.severity ?? '—'),
    h('td', {}, h('strong', {}, alert.alertname), alert.description ? h('p', { class: 'meta' }, alert.description) : null),
    h('td', { class: `state ${alert.state}` }, alert.state),
    h('td', {}, when(since)),
    h('td', {}, alert.summary ?? '—'),
    h('td', {}, runbook(alert.runbookUrl)),
  );
}

export async function alertsPanel(): Promise<HTMLElement> {
  const answer = await optional(client.GET('/alerts', { params: { query: { limit: 200 } } }));
  let content: Node[];
  if (!('data' in answer)) content = [h('p', { class: 'empty' }, `The alerts cannot be shown: ${answer.error}`)];
  else if (!answer.data.evaluatedByLayer) content = [h('p', { id: 'alerts-off' }, ALERTS_OFF)];
  else {
    content = [
      h('p', { class: 'note' }, 'Alerts the layer raises about itself from the rules Prometheus loads: firing first, then pending.'),
      table(
        'Firing and pending alerts',
        ['Severity', 'Alert', 'State', 'Since', 'Summary', 'Runbook'],
        answer.data.items.map(alertRow),
        'No alert is firing or pending.',
        'alerts',
      ),
    ];
    if (answer.data.nextCursor) content.push(h('p', { class: 'note' }, 'More alerts are active than the 200 shown here.'));
  }
  return h('section', { 'aria-labelledby': 'alerts-title' }, h('h2', { id: 'alerts-title' }, 'Alerts'), ...content);
}
