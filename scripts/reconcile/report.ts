// The reconcile command's summary: a table of the pass's checks (compared, found, new, resolved,
// repaired, duration), then the open exceptions by question and type with their money at risk.
import { minorToDecimalString, type Money } from '../../core/money.js';
import type { OpenExceptionsByType, PassView } from '../../process-apis/reconciliation/index.js';

type Align = 'left' | 'right';

/** Columns padded to their widest cell; numbers right-aligned. */
export function formatTable(headers: string[], rows: string[][], align: Align[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (align[i] === 'right' ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return [line(headers), ...rows.map(line)];
}

export const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`);
export const money = (amounts: Money[]) =>
  amounts.length === 0 ? '–' : amounts.map((m) => `${minorToDecimalString(m.amountMinor, m.currency)} ${m.currency}`).join(', ');

export function passReport(pass: PassView, open: OpenExceptionsByType[]): string[] {
  const checks = formatTable(
    ['check', 'journey', 'compared', 'found', 'new', 'resolved', 'repaired', 'duration', 'result'],
    [
      ...pass.checks.map((c) => [
        c.check,
        c.journey,
        String(c.compared),
        String(c.found),
        String(c.opened),
        String(c.resolved),
        String(c.repairsStarted),
        duration(c.durationMs),
        c.error ? `failed: ${c.error}` : 'ok',
      ]),
      [
        'total',
        '',
        String(pass.compared),
        String(pass.found),
        String(pass.opened),
        String(pass.resolved),
        String(pass.repairsStarted),
        pass.finishedAt ? duration(Date.parse(pass.finishedAt) - Date.parse(pass.startedAt)) : '',
        pass.status,
      ],
    ],
    ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  );
  const exceptions =
    open.length === 0
      ? ['  No open exceptions.']
      : formatTable(
          ['question', 'type', 'open', 'money at risk'],
          open.map((o) => [o.question, o.type, String(o.count), money(o.moneyAtRisk)]),
          ['left', 'left', 'right', 'left'],
        );
  return [
    '',
    `  Reconciliation pass ${pass.id}: ${pass.status}${pass.journey ? ` (${pass.journey})` : ''}${pass.repair ? ', safe repairs on' : ''}`,
    '',
    ...checks,
    '',
    '  Open exceptions',
    '',
    ...exceptions,
    ...(pass.error ? ['', `  ${pass.error}`] : []),
    '',
  ];
}
