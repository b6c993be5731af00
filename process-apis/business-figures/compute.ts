// One computation: what the sources answered turned into the executive page's figures, and the
// operational figures of the overview read from the durable core, each as trend points.
import { readBusinessFigures, type LayerShape } from '../../core/observability/business-metrics.js';
import type { Database } from '../../core/store/schema.js';
import type { Kysely } from 'kysely';
import {
  billableUtilisation,
  counted,
  dso,
  forecastAccuracy,
  moneyFigure,
  sumByCurrency,
  type BusinessFigure,
  type FigureUnit,
  type Window,
} from './figures.js';
import type { Reading, SourceReadings, UnbilledReading } from './sources.js';

const EXCEPTIONS = '/reconciliation/exceptions';

/** A figure the readings it needs could not give: no value, and why. */
function notComputed(figure: BusinessFigure, failed: Array<Reading<unknown> | undefined>): BusinessFigure {
  const reasons = failed.flatMap((r) => (r && !r.ok ? [r.reason] : []));
  return reasons.length ? { ...figure, value: null, amounts: [], basis: `Not computed: ${reasons.join('; ')}` } : figure;
}

const noUnbilled: UnbilledReading = { amounts: [], unrated: 0 };
const unbilledBasis = (u: UnbilledReading) =>
  `${counted(u.amounts.length, 'engagement')} with unbilled work` +
  (u.unrated ? `; ${u.unrated} with approved time time-to-billing could not rate (${u.unratedReason ?? 'no reason given'})` : '');

const valueOf = <T>(r: Reading<T>, empty: T): T => (r.ok ? r.value : empty);

/** The contract's bound on a basis: a long list of amounts is cut, not refused. */
const MAX_BASIS = 300;

export function businessFigures(readings: SourceReadings, window: Window): BusinessFigure[] {
  return figuresOf(readings, window).map((f) => (f.basis.length > MAX_BASIS ? { ...f, basis: `${f.basis.slice(0, MAX_BASIS - 1)}…` } : f));
}

function figuresOf(readings: SourceReadings, window: Window): BusinessFigure[] {
  const { invoices, entries, resources, planned, unbilled, holds, atRisk } = readings;
  const allInvoices = valueOf(invoices, []);
  const recorded = valueOf(entries, []);
  const onHold = allInvoices.filter((i) => i.status === 'on-hold');
  const drafts = allInvoices.filter((i) => i.status === 'draft');
  const heldInvoices = sumByCurrency(onHold.map((i) => i.amountOutstanding));
  const heldWork = sumByCurrency([...heldInvoices, ...valueOf(holds, [])]);
  const backlog = sumByCurrency(drafts.map((i) => i.total));
  return [
    notComputed(dso(allInvoices, window), [invoices]),
    notComputed(billableUtilisation(recorded, valueOf(resources, []), window), [entries, resources]),
    notComputed(forecastAccuracy(valueOf(planned, []), recorded, window), [planned, entries]),
    notComputed(
      moneyFigure(
        {
          name: 'unbilled-work',
          title: 'Unbilled work',
          explanation:
            'Approved billable time and expenses not yet on an invoice, and completed milestones of fixed-fee engagements not yet ' +
            'billed, rated by the rate cards in force (time-to-billing, rounded once per invoice line as the invoice would be).',
          link: `${EXCEPTIONS}?question=unbilled-approved-time`,
        },
        sumByCurrency(valueOf(unbilled, noUnbilled).amounts),
        unbilledBasis(valueOf(unbilled, noUnbilled)),
      ),
      [unbilled],
    ),
    notComputed(
      moneyFigure(
        {
          name: 'held-work',
          title: 'Held work',
          explanation:
            'What is owed on ERP invoices on hold, plus approved billable work waiting on engagements under a billing hold ' +
            '(rated as it would be billed).',
          link: `${EXCEPTIONS}?question=blocked-invoices`,
        },
        heldWork,
        `${counted(onHold.length, 'invoice')} on hold, ${counted(valueOf(holds, []).length, 'engagement')} on billing hold`,
      ),
      [invoices, holds],
    ),
    notComputed(
      {
        name: 'invoice-posting-backlog',
        title: 'Invoice posting backlog',
        unit: 'count',
        value: drafts.length,
        amounts: backlog,
        explanation: 'ERP invoices created but not yet posted (drafts), and their totals per currency.',
        basis: `${counted(drafts.length, 'draft invoice')} of ${allInvoices.length}`,
        link: `${EXCEPTIONS}?question=blocked-invoices`,
      },
      [invoices],
    ),
    atRisk
      ? notComputed(
          moneyFigure(
            {
              name: 'revenue-at-risk',
              title: 'Revenue at risk',
              explanation: 'The money at risk of the open reconciliation exceptions, summed per currency.',
              link: `${EXCEPTIONS}?status=open`,
            },
            atRisk.ok ? sumByCurrency(atRisk.value.amounts) : [],
            counted(atRisk.ok ? atRisk.value.count : 0, 'open exception'),
          ),
          [atRisk],
        )
      : {
          name: 'revenue-at-risk',
          title: 'Revenue at risk',
          unit: 'money',
          value: null,
          amounts: [],
          explanation: 'The money at risk of the open reconciliation exceptions, summed per currency.',
          basis: 'reconciliation not available',
          link: null,
        },
  ];
}

/** One value of a figure at one computation, as the trends keep it. */
export interface FigurePoint {
  figure: string;
  unit: FigureUnit | 'seconds';
  /** ISO 4217 for money, '' otherwise. */
  currency: string;
  value: number;
}

/** The trend points of the business figures: a value where there is one, one point per currency for money. */
export function businessPoints(figures: readonly BusinessFigure[]): FigurePoint[] {
  return figures.flatMap((f): FigurePoint[] =>
    f.unit === 'money'
      ? f.amounts.map((m) => ({ figure: f.name, unit: 'money', currency: m.currency, value: m.amountMinor }))
      : f.value === null
        ? []
        : [{ figure: f.name, unit: f.unit, currency: '', value: f.value }],
  );
}

/**
 * The overview's operational figures, recorded beside the business figures so the overview can
 * draw their trends: documented in docs/metrics.md ("Figures of the overview and the executive page").
 */
export async function operationalPoints(db: Kysely<Database>, shape: LayerShape, now: number): Promise<FigurePoint[]> {
  const f = await readBusinessFigures(db, shape, { now, recentFinished: false });
  const failedRuns = f.runs.filter((r) => r.state === 'failed').reduce((sum, r) => sum + r.count, 0);
  const count = (figure: string, value: number): FigurePoint => ({ figure, unit: 'count', currency: '', value });
  return [
    count('failed-runs', failedRuns),
    count('failed-provisioning', f.failedProvisioning),
    count('open-dead-letters', f.openDeadLetters),
    count('undispatched-events', f.undispatchedEvents),
    count('pending-deliveries', f.pendingDeliveries),
    count('dead-deliveries', f.deadDeliveries),
  ];
}
