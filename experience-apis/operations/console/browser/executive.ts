// The executive page: business outcomes computed from the platforms (DSO, utilisation, forecast
// accuracy, unbilled and held work, revenue at risk), each with how it is computed, what it was
// computed from, and its number linking to the records behind it.
import { client, optional, unwrap, type Schemas } from './api.js';
import { trendChart } from './charts.js';
import { h, moneyList, pageHeading, when } from './dom.js';
import { figureValue } from './format.js';
import { hrefForApiPath } from './routes.js';

function figureText(figure: Schemas['ExecutiveFigure']): string {
  return figure.unit === 'money' ? moneyList(figure.amounts) : figureValue(figure.value, figure.unit);
}

function figureCard(figure: Schemas['ExecutiveFigure'], trend: Schemas['Trend'] | undefined): HTMLElement {
  const text = figureText(figure);
  const href = figure.link ? hrefForApiPath(figure.link) : null;
  const value = href ? h('a', { href, title: `The records behind ${figure.title}` }, text) : text;
  return h(
    'article',
    { class: 'executive-figure', 'data-figure': figure.name, 'aria-labelledby': `figure-${figure.name}` },
    h('h2', { id: `figure-${figure.name}` }, figure.title),
    h('p', { class: 'figure-value' }, value),
    h('p', { class: 'figure-explanation' }, figure.explanation),
    h('p', { class: 'basis' }, h('span', { class: 'term' }, 'Computed from: '), figure.basis),
    figure.link && !href ? h('p', { class: 'note' }, `Records: GET ${figure.link} in the operations API.`) : null,
    trend && trend.points.length > 1 ? trendChart(trend, `Trend of ${figure.title.toLowerCase()}`) : null,
  );
}

export async function executivePage(): Promise<Node[]> {
  const [figures, trends] = await Promise.all([
    unwrap(client.GET('/executive-figures')),
    optional(client.GET('/trends', { params: { query: { hours: 2160 } } })),
  ]);
  // One chart per figure: the trend of its first currency for money.
  const trendOf = (figure: Schemas['ExecutiveFigure']) =>
    'data' in trends ? trends.data.items.find((t) => t.figure === figure.name) : undefined;
  const computed = figures.computedAt
    ? `Computed ${when(figures.computedAt)} over the last ${figures.windowDays} days, on a schedule rather than per view.`
    : 'Not computed yet: the figures appear after the first scheduled computation.';
  return [
    ...pageHeading('Executive figures', computed),
    figures.figures.length
      ? h('div', { class: 'executive', id: 'executive-figures' }, ...figures.figures.map((f) => figureCard(f, trendOf(f))))
      : h('p', { class: 'empty' }, 'No figures yet.'),
  ];
}
