// Trend charts drawn with uPlot (bundled into console.js, nothing fetched from elsewhere). Each
// chart also states its latest value and range in text, for screen readers and for a quick read.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Schemas } from './api.js';
import { h } from './dom.js';
import { axisValue, figureTitle, figureValue } from './format.js';

type Trend = Schemas['Trend'];

export function trendChart(trend: Trend, title = figureTitle(trend.figure)): HTMLElement {
  const values = trend.points.map((p) => p.value);
  const show = (v: number) => figureValue(v, trend.unit, trend.currency);
  const axis = (v: number) => axisValue(v, trend.unit, trend.currency);
  const latest = values.length ? show(values[values.length - 1]) : 'no points yet';
  const range = values.length > 1 ? `, between ${show(Math.min(...values))} and ${show(Math.max(...values))}` : '';
  const plot = h('div', { class: 'chart', role: 'img', 'aria-label': `${title}: now ${latest}${range}` });
  const card = h(
    'figure',
    { class: 'trend', 'data-figure': trend.figure },
    h('figcaption', {}, h('span', { class: 'trend-title' }, title), h('span', { class: 'trend-latest' }, latest)),
    plot,
    h('p', { class: 'trend-range' }, `${trend.points.length} points${range}`),
  );
  if (trend.points.length === 0) {
    plot.append(h('p', { class: 'empty' }, 'Nothing recorded in this period yet.'));
    return card;
  }
  // Drawn once the card is in the page (the next frame), at the width it was given there, and
  // redrawn to the new width when the window changes size.
  requestAnimationFrame(() => {
    const width = Math.max(240, plot.clientWidth || 320);
    const data: uPlot.AlignedData = [trend.points.map((p) => Date.parse(p.at) / 1000), values];
    const chart = new uPlot(
      {
        width,
        height: 140,
        legend: { show: false },
        cursor: { show: true, drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [
          { stroke: '#5b6475', grid: { stroke: '#eef1f6' }, ticks: { stroke: '#dfe3ea' } },
          {
            stroke: '#5b6475',
            // As wide as the longest label (about 7 px a character at the axis font), so that "100 days" is not cut.
            size: (_u, labels) => 24 + 7 * Math.max(4, ...(labels ?? []).map((l) => String(l).length)),
            grid: { stroke: '#eef1f6' },
            ticks: { stroke: '#dfe3ea' },
            values: (_u, ticks) => ticks.map(axis),
          },
        ],
        series: [
          {},
          { label: title, stroke: '#1f4e99', width: 2, fill: 'rgba(31,78,153,0.08)', points: { show: trend.points.length < 40 } },
        ],
      },
      data,
      plot,
    );
    new ResizeObserver(() => chart.setSize({ width: Math.max(240, plot.clientWidth), height: 140 })).observe(plot);
  });
  return card;
}
