// The overview: the summary figures, each with a plain explanation and whether it needs
// attention now; the layer's own alerts; the five business views at a glance; the trends; runs by journey and state.
import { alertsPanel } from './alerts.js';
import { client, optional, unwrap, type Schemas } from './api.js';
import { trendChart } from './charts.js';
import { age, h, moneyList, pageHeading, table, when } from './dom.js';
import { viewHref } from './routes.js';

interface Figure {
  label: string;
  value: string;
  explanation: string;
  attention: boolean;
  href?: string;
}

function summaryFigures(summary: Schemas['OperationsSummary']): Figure[] {
  const o = summary.outbox;
  const figures: Figure[] = [
    {
      label: 'Failed provisioning',
      value: String(summary.failedProvisioning),
      explanation: 'Won deals whose project provisioning failed and was neither retried nor cancelled. Any above 0 needs an operator.',
      attention: summary.failedProvisioning > 0,
      href: viewHref('failed-provisioning'),
    },
    {
      label: 'Open dead letters',
      value: String(summary.openDeadLetters),
      explanation: 'Steps that failed after their last retry, kept with their payload to replay or discard. Any above 0 needs an operator.',
      attention: summary.openDeadLetters > 0,
      href: '#/runs',
    },
    {
      label: 'Events not dispatched',
      value: String(o.undispatchedEvents),
      explanation:
        'Business events written but not yet handed to subscribers. A few are normal while the dispatcher works; a problem only when the oldest is minutes old.',
      attention: (o.oldestUndispatchedAgeSeconds ?? 0) > 300,
    },
    {
      label: 'Oldest undispatched event',
      value: age(o.oldestUndispatchedAgeSeconds),
      explanation: 'How long the oldest event has waited. Under a minute is normal; over 5 minutes means dispatch is stuck.',
      attention: (o.oldestUndispatchedAgeSeconds ?? 0) > 300,
    },
    {
      label: 'Webhook deliveries pending',
      value: String(o.pendingDeliveries),
      explanation: 'Deliveries to subscribers waiting for their next attempt. Normal while a subscriber is briefly down.',
      attention: false,
    },
    {
      label: 'Webhook deliveries given up',
      value: String(o.deadDeliveries),
      explanation: 'Deliveries that failed on every attempt: the subscriber missed these events. Replay them from the API once it is back.',
      attention: o.deadDeliveries > 0,
    },
    {
      label: 'Webhooks refused (24 h)',
      value: String(summary.rejectedWebhooksLastDay),
      explanation:
        'Inbound webhooks refused for a bad signature, a stale timestamp or a bad body. Any above 0 may be an attack or a wrong secret.',
      attention: summary.rejectedWebhooksLastDay > 0,
    },
  ];
  if (summary.approvedUnbilledMinutes !== undefined) {
    figures.push({
      label: 'Approved hours not billed',
      value: (summary.approvedUnbilledMinutes / 60).toFixed(1),
      explanation: 'Approved billable time not yet on an ERP invoice line. It grows between billing runs and should fall after each.',
      attention: false,
      href: viewHref('unbilled-approved-time'),
    });
  }
  for (const p of summary.platforms ?? []) {
    figures.push({
      label: `${p.platform.toUpperCase()}: last webhook`,
      value: `${age(p.lastWebhookAgeSeconds)} ago`,
      explanation: `When the ${p.platform} platform last sent a verified webhook. Over an hour on a working day suggests its webhooks stopped; the catch-up poll still reads its changes.`,
      attention: p.lastWebhookAgeSeconds > 3600,
    });
  }
  return figures;
}

function figureCard(figure: Figure): HTMLElement {
  const value = figure.href ? h('a', { href: figure.href }, figure.value) : figure.value;
  return h(
    'div',
    { class: `figure${figure.attention ? ' attention' : ''}`, role: 'group', 'aria-label': figure.label },
    h('strong', { class: 'figure-value' }, value),
    h('span', { class: 'figure-label' }, figure.label, figure.attention ? h('span', { class: 'badge' }, 'needs attention') : null),
    h('p', { class: 'figure-explanation' }, figure.explanation),
  );
}

function viewCard(view: Schemas['BusinessView']): HTMLElement {
  return h(
    'li',
    { class: `view-card${view.openExceptions > 0 ? ' attention' : ''}`, 'data-question': view.question },
    h('a', { href: viewHref(view.question) }, h('strong', {}, String(view.openExceptions)), ' ', view.title),
    h('p', {}, view.description),
    h(
      'p',
      { class: 'meta' },
      `Money at risk: ${moneyList(view.moneyAtRisk)} · oldest: ${age(view.oldestAgeSeconds)} · checked ${when(view.lastCheckedAt)}`,
    ),
  );
}

export async function overviewPage(hours: number): Promise<Node[]> {
  const [summary, alerts, views, trends] = await Promise.all([
    unwrap(client.GET('/summary')),
    alertsPanel(),
    optional(client.GET('/business-views')),
    optional(client.GET('/trends', { params: { query: { hours } } })),
  ]);
  const unavailable = (what: string, error: string) => h('p', { class: 'empty' }, `${what} cannot be shown: ${error}`);
  const runs = summary.runs.map((r) =>
    h(
      'tr',
      {},
      h('td', {}, r.journey),
      h('td', { class: 'mono' }, r.workflow),
      h('td', { class: `state ${r.outcome ?? r.state}` }, r.outcome ?? r.state),
      h('td', { class: 'num' }, String(r.count)),
    ),
  );
  const periods = [24, 168, 720].map((p) =>
    h('a', { href: `#/overview?hours=${p}`, 'aria-current': p === hours ? 'true' : null }, p === 24 ? '24 hours' : `${p / 24} days`),
  );
  return [
    ...pageHeading('Overview', `As of ${when(summary.generatedAt)}.`),
    h(
      'section',
      { 'aria-labelledby': 'figures-title' },
      h('h2', { id: 'figures-title' }, 'Now'),
      h('div', { class: 'figures', id: 'figures' }, ...summaryFigures(summary).map(figureCard)),
    ),
    alerts,
    h(
      'section',
      { 'aria-labelledby': 'views-title' },
      h('h2', { id: 'views-title' }, 'Business records that need attention'),
      'data' in views
        ? h('ul', { class: 'view-cards', id: 'view-cards' }, ...views.data.items.map(viewCard))
        : unavailable('The business views', views.error),
    ),
    h(
      'section',
      { 'aria-labelledby': 'trends-title' },
      h(
        'div',
        { class: 'toolbar' },
        h('h2', { id: 'trends-title' }, 'Trends'),
        h('nav', { 'aria-label': 'Trend period', class: 'periods' }, ...periods),
      ),
      !('data' in trends)
        ? unavailable('The trends', trends.error)
        : trends.data.items.length
          ? h('div', { class: 'trends', id: 'trends' }, ...trends.data.items.map((t) => trendChart(t)))
          : h('p', { class: 'empty' }, 'No figures recorded in this period yet.'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'journeys-title' },
      h('h2', { id: 'journeys-title' }, 'Runs by journey and state'),
      h(
        'p',
        { class: 'note' },
        'Unfinished and failed runs in full; completed, compensated and cancelled runs started in the last 24 hours.',
      ),
      table('Runs by journey and state', ['Journey', 'Workflow', 'State', 'Runs'], runs, 'No runs yet.'),
    ),
  ];
}
