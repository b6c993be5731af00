// Answers of the operations API for the console's page tests, typed by the contract: a firm with
// two failed provisionings, a blocked invoice, a day of trends, the executive figures and the
// layer's own alerts (one firing, one pending).
import type { components } from '../../../generated/openapi/experience/operations.v1.js';

type S = components['schemas'];
const NOW = Date.parse('2026-11-26T09:00:00Z');
const at = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000).toISOString().replace('.000', '');

function exception(n: number, fields: Partial<S['ReconciliationException']>): S['ReconciliationException'] {
  return {
    id: `01a216af-078b-734e-a6c5-63f35c7d3e${String(n).padStart(2, '0')}`,
    question: 'failed-provisioning',
    journey: 'opportunity-to-project',
    type: 'won-deal-without-project',
    title: 'Deal won on the CRM has no ERP project',
    detail: 'Closed-won on the CRM; ERP holds no project for it and no provisioning run is open.',
    status: 'open',
    records: [],
    moneyAtRisk: null,
    repair: {
      safe: true,
      action: 'start-provisioning',
      description: 'Start provisioning for the opportunity (idempotent: one ERP project at most).',
      runId: null,
    },
    run: null,
    firstSeenAt: at(3600),
    lastSeenAt: at(60),
    ageSeconds: 3600,
    resolvedAt: null,
    resolvedBy: null,
    dismissReason: null,
    passId: '01a216af-078b-734e-a6c5-63f35c7d3f00',
    ...fields,
  };
}

export function consoleFixtures() {
  const exceptions: S['ReconciliationException'][] = [
    exception(1, {
      detail:
        'Opportunity 006A0000001AbCdEAA (Acme rollout) was closed-won 2026-11-26 07:30 UTC; the provisioning run stopped at create-erp-project: ERP refused the project (subsidiary not mapped).',
      records: [
        {
          platform: 'crm',
          entity: 'opportunity',
          id: '006A0000001AbCdEAA',
          canonicalId: null,
          label: 'Acme rollout',
          url: 'https://acme.my.salesforce.com/lightning/r/Opportunity/006A0000001AbCdEAA/view',
        },
        { platform: 'layer', entity: 'run', id: '01a216af-078b-734e-a6c5-63f35c7d3e91', canonicalId: null, label: null, url: null },
      ],
      moneyAtRisk: { amountMinor: 4_800_000, currency: 'EUR' },
      repair: {
        safe: false,
        action: 'retry-run',
        description: 'Retry the provisioning run once the ERP subsidiary is mapped.',
        runId: null,
      },
      run: {
        runId: '01a216af-078b-734e-a6c5-63f35c7d3e91',
        workflow: 'opportunity-to-project',
        step: 'create-erp-project',
        state: 'failed',
        deadLetterId: 7,
      },
      ageSeconds: 5400,
    }),
    exception(2, {
      detail:
        'Opportunity 006A0000001XyZaBQA (Globex data platform) was closed-won 2026-11-26 08:10 UTC; ERP holds no project for it and no provisioning run is open.',
      records: [
        {
          platform: 'crm',
          entity: 'opportunity',
          id: '006A0000001XyZaBQA',
          canonicalId: null,
          label: 'Globex data platform',
          url: 'https://acme.my.salesforce.com/lightning/r/Opportunity/006A0000001XyZaBQA/view',
        },
      ],
      moneyAtRisk: { amountMinor: 12_500_000, currency: 'USD' },
      ageSeconds: 2900,
    }),
    exception(3, {
      question: 'blocked-invoices',
      journey: 'billing-status-to-crm',
      type: 'invoice-on-hold',
      title: 'Invoice held in ERP',
      detail: 'Invoice INV-2026-0412 for Initech (EUR 18,240.00) has been on hold in ERP for 3 days: missing purchase order number.',
      records: [
        {
          platform: 'erp',
          entity: 'invoice',
          id: '4412',
          canonicalId: null,
          label: 'INV-2026-0412',
          url: 'https://1234567.app.netsuite.com/app/accounting/transactions/custinvc.nl?id=4412',
        },
        {
          platform: 'crm',
          entity: 'account',
          id: '001A000001InItEAAA',
          canonicalId: null,
          label: 'Initech',
          url: 'https://acme.my.salesforce.com/lightning/r/Account/001A000001InItEAAA/view',
        },
      ],
      moneyAtRisk: { amountMinor: 1_824_000, currency: 'EUR' },
      repair: {
        safe: false,
        action: 'by-hand',
        description: 'Add the purchase order number to the invoice in ERP and release the hold.',
        runId: null,
      },
      ageSeconds: 259_200,
    }),
  ];
  const views: S['BusinessView'][] = [
    {
      question: 'failed-provisioning',
      title: 'Projects that failed to provision',
      description: 'Deals won on the CRM without a complete ERP project, staffing request and write-back.',
      openExceptions: 2,
      moneyAtRisk: [
        { amountMinor: 4_800_000, currency: 'EUR' },
        { amountMinor: 12_500_000, currency: 'USD' },
      ],
      oldestAgeSeconds: 5400,
      lastCheckedAt: at(60),
    },
    {
      question: 'out-of-sync-assignments',
      title: 'Assignments out of sync',
      description: 'Scheduling assignments whose ERP forecast or utilisation differs.',
      openExceptions: 0,
      moneyAtRisk: [],
      oldestAgeSeconds: null,
      lastCheckedAt: at(60),
    },
    {
      question: 'unbilled-approved-time',
      title: 'Approved time not in ERP',
      description: 'Approved billable time entries without an ERP invoice line.',
      openExceptions: 0,
      moneyAtRisk: [],
      oldestAgeSeconds: null,
      lastCheckedAt: at(60),
    },
    {
      question: 'blocked-invoices',
      title: 'Invoices that are blocked',
      description: 'Invoices on hold or refused in ERP.',
      openExceptions: 1,
      moneyAtRisk: [{ amountMinor: 1_824_000, currency: 'EUR' }],
      oldestAgeSeconds: 259_200,
      lastCheckedAt: at(60),
    },
    {
      question: 'mismatched-billing-status',
      title: 'Accounts with mismatched billing status',
      description: 'CRM accounts whose invoice or payment status differs from ERP.',
      openExceptions: 0,
      moneyAtRisk: [],
      oldestAgeSeconds: null,
      lastCheckedAt: at(60),
    },
  ];
  const hourly = (f: (i: number) => number) => Array.from({ length: 24 }, (_, i) => ({ at: at((23 - i) * 3600), value: f(i) }));
  const trends: S['TrendList'] = {
    hours: 24,
    items: [
      {
        figure: 'open-exceptions',
        unit: 'count',
        points: hourly((i) => [1, 1, 2, 2, 1, 0, 0, 1, 3, 3, 2, 2, 2, 3, 4, 3, 3, 2, 2, 3, 3, 3, 3, 3][i]),
      },
      { figure: 'revenue-at-risk', unit: 'money', currency: 'EUR', points: hourly((i) => (i < 12 ? 1_824_000 : 6_624_000)) },
      { figure: 'dso', unit: 'days', points: hourly((i) => 38 + Math.sin(i / 4)) },
      { figure: 'billable-utilisation', unit: 'ratio', points: hourly((i) => 0.71 + i * 0.002) },
    ],
  };
  const executive: S['ExecutiveFigures'] = {
    computedAt: at(300),
    windowDays: 90,
    figures: [
      {
        name: 'dso',
        title: 'Days sales outstanding',
        unit: 'days',
        value: 38.5,
        amounts: [],
        explanation: 'Open receivables divided by invoiced revenue over the window, times the days in it.',
        basis: '14 invoices, 3 open',
        link: '/reconciliation/exceptions?question=blocked-invoices',
      },
      {
        name: 'billable-utilisation',
        title: 'Billable utilisation',
        unit: 'ratio',
        value: 0.742,
        amounts: [],
        explanation: 'Approved billable hours divided by the hours the consultants were available.',
        basis: '1,284 approved hours of 12 consultants',
        link: null,
      },
      {
        name: 'revenue-at-risk',
        title: 'Revenue at risk from open exceptions',
        unit: 'money',
        value: null,
        amounts: [
          { amountMinor: 6_624_000, currency: 'EUR' },
          { amountMinor: 12_500_000, currency: 'USD' },
        ],
        explanation: 'The money of every record an open reconciliation exception concerns.',
        basis: '3 open exceptions',
        link: '/reconciliation/exceptions',
      },
      {
        name: 'forecast-accuracy',
        title: 'Forecast accuracy',
        unit: 'ratio',
        value: 0.91,
        amounts: [],
        explanation: 'One minus the mean absolute error between forecast and actual hours, per engagement and week.',
        basis: '18 engagement-weeks',
        link: null,
      },
    ],
  };
  const summary: S['OperationsSummary'] = {
    generatedAt: at(0),
    runs: [
      { journey: 'opportunity-to-project', workflow: 'opportunity-to-project', state: 'completed', count: 41 },
      { journey: 'opportunity-to-project', workflow: 'opportunity-to-project', state: 'failed', count: 1 },
      { journey: 'time-to-billing', workflow: 'time-to-billing', state: 'completed', count: 96 },
    ],
    openDeadLetters: 1,
    outbox: { undispatchedEvents: 3, oldestUndispatchedAgeSeconds: 4, pendingDeliveries: 0, deadDeliveries: 0 },
    rejectedWebhooksLastDay: 0,
    failedProvisioning: 1,
    approvedUnbilledMinutes: 2_340,
    platforms: [{ platform: 'crm', lastWebhookAt: at(40), lastWebhookAgeSeconds: 40 }],
  };
  const pass: S['ReconciliationPass'] = {
    id: '01a216af-078b-734e-a6c5-63f35c7d3f01',
    journey: null,
    trigger: 'schedule',
    repair: false,
    status: 'running',
    startedAt: at(0),
    finishedAt: null,
    startedBy: null,
    compared: 0,
    found: 0,
    opened: 0,
    resolved: 0,
    repairsStarted: 0,
    error: null,
    checks: [],
  };
  const alerts: S['LayerAlertPage'] = {
    evaluatedByLayer: true,
    items: [
      {
        fingerprint: '9f2c4e1a7b3d5c60',
        alertname: 'ProvisioningFailed',
        severity: 'critical',
        state: 'firing',
        activeAt: at(1830),
        firedAt: at(1800),
        value: 2,
        summary: '2 won deal(s) failed to become an ERP project',
        description: 'Won deals have no ERP project; the client cannot be billed for them.',
        runbookUrl: 'docs/runbooks/ProvisioningFailed.md',
        labels: { alertname: 'ProvisioningFailed', severity: 'critical' },
        lastEvaluatedAt: at(20),
      },
      {
        fingerprint: '0a61d2f3c4b5e697',
        alertname: 'ChangeCursorStale',
        severity: 'warning',
        state: 'pending',
        activeAt: at(120),
        firedAt: null,
        value: 1020,
        summary: 'crm:opportunities has not read crm to the end for 17m 0s',
        description: 'Changes on crm that no webhook brought are not in the layer yet.',
        runbookUrl: 'https://runbooks.firm.example/ChangeCursorStale',
        labels: { alertname: 'ChangeCursorStale', severity: 'warning', platform: 'crm', cursor: 'crm:opportunities' },
        lastEvaluatedAt: at(20),
      },
    ],
    nextCursor: null,
  };
  return { exceptions, views, trends, executive, summary, pass, alerts };
}
