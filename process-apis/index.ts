// The process layer as one typed object: the journeys' APIs built on the system layer, with
// the one workflow engine that runs their definitions (plus any other journey's), the inbox
// processor that turns platform webhooks and polled changes into runs, the change pollers,
// the reconciling poll and the business figures' schedule.
//
// Composition root (gateway/compose.ts):
//   const processLayer = createProcessApis(infra, systemApis);  // after the system APIs exist
//   app.use('/webhooks', processLayer.webhooks);               // before any JSON body parser
//   processLayer.start();  … on shutdown: await processLayer.stop();
import type { Router } from 'express';
import { inboxRouter, InboxProcessor, type InboxHandler } from '../core/inbox/index.js';
import { loadRegionalRules, type RegionalRules } from '../core/regional/rules.js';
import { PollLoop } from '../core/resilience/poll-loop.js';
import { claimPeriod, noopScheduleMetrics, type ScheduleMetrics } from '../core/schedules/index.js';
import { ChangePoller, type ChangeFeed, type ChangeCaptureMetrics } from '../core/change-capture/index.js';
import type { Infra } from '../core/api-module.js';
import { journeysOf, WorkflowEngine, type Journeys, type WorkflowDefinition } from '../core/workflows/index.js';
import type { WorkflowMetrics } from '../core/workflows/metrics.js';
import {
  billingChangeFeed,
  billingStatusToCrmChecks,
  billingStatusWorkflows,
  createBillingStatusToCrmApi,
  ERP_POLLED_SOURCE,
  type BillingStatusMetrics,
  type BillingStatusToCrmApi,
} from './billing-status-to-crm/index.js';
import {
  createOpportunityToProjectApi,
  opportunityToProjectChecks,
  CRM_POLLED_SOURCE,
  crmPollHandler,
  opportunityChangeFeed,
  opportunityToProjectWorkflows,
  PROVISIONING_JOURNEY,
  type OpportunityToProjectApi,
} from './opportunity-to-project/index.js';
import {
  BillingSchedule,
  timeToBillingChecks,
  createClientBillingView,
  createTimeToBillingApi,
  lateApprovalHandler,
  previousMonthStart,
  timeEntryChangeFeed,
  timeToBillingWorkflows,
  TIME_POLLED_SOURCE,
  type ClientBillingView,
  type LateApprovalMetrics,
  type TimeToBillingApi,
} from './time-to-billing/index.js';
import {
  assignmentChangeFeed,
  assignmentToForecastChecks,
  assignmentToForecastWorkflow,
  createAssignmentToForecastApi,
  POLLED_SOURCE,
  schedulingPollHandler,
  schedulingWebhookHandler,
  type AssignmentToForecastApi,
} from './assignment-to-forecast/index.js';
import { createReconciliation, type ReconciliationApi, type ReconciliationMetrics } from './reconciliation/index.js';
import type { ReconciliationCheck } from './kit/reconciliation.js';
import {
  BusinessFiguresSchedule,
  createBusinessFiguresApi,
  type BusinessFiguresApi,
  type BusinessFiguresMetrics,
} from './business-figures/index.js';
import type { SystemApis } from '../system-apis/index.js';
import type { CrmChangeStreamMetrics } from '../system-apis/crm/index.js';

/** The process layer's APIs: what experience modules may call. */
export interface ProcessApis {
  opportunityToProject: OpportunityToProjectApi;
  billingStatusToCrm: BillingStatusToCrmApi;
  timeToBilling: TimeToBillingApi;
  /** One client's projects, invoices, payments and approved hours, for experience APIs. */
  clientBilling: ClientBillingView;
  assignmentToForecast: AssignmentToForecastApi;
  /** Cross-platform mismatches found by the journeys' checks: exceptions, passes, business views. */
  reconciliation: ReconciliationApi;
  /** DSO, utilisation, forecast accuracy and the money figures, computed on a schedule. */
  businessFigures: BusinessFiguresApi;
}

export interface ProcessApisOptions {
  /** Standard Webhooks secrets per source; default: the platforms' configured secrets. */
  webhookSecrets?: { crm?: string; erp?: string; scheduling?: string };
  rules?: RegionalRules;
  engine?: { pollMs?: number; leaseMs?: number; heartbeatMs?: number; workerId?: string; concurrency?: number; metrics?: WorkflowMetrics };
  inboxPollMs?: number;
  /** Rounds of the periodic jobs, ran or skipped (another replica claimed the period). */
  scheduleMetrics?: ScheduleMetrics;
  /** How often the reconciling poll asks ERP for invoice changes webhooks missed; 0 turns it off. Default: RECONCILE_EVERY_MS. */
  reconcileEveryMs?: number;
  /** How often the billing schedule bills the previous month; 0 turns it off. Default: BILLING_SCHEDULE_EVERY_MS (off under NODE_ENV=test). */
  /** Billing-status-to-crm's counters (the gateway's registry): ERP webhooks not followed. */
  billingStatusMetrics?: BillingStatusMetrics;
  billingEveryMs?: number;
  /** Change capture metrics (the gateway's registry); the pollers report what they record and how far behind they are. */
  changeCaptureMetrics?: ChangeCaptureMetrics;
  /** What came of each time entry change the time feed brought (time-to-billing's late approvals). */
  lateApprovalMetrics?: LateApprovalMetrics;
  /** Metrics of the CRM change stream (when the CRM system API streams its change events). */
  crmChangeStreamMetrics?: CrmChangeStreamMetrics;
  /** The reconciliation journey's metrics (the gateway's registry). */
  reconciliationMetrics?: ReconciliationMetrics;
  /** Checks run beside the journeys' own (tests' fakes). */
  extraReconciliationChecks?: readonly ReconciliationCheck[];
  /** The business figures' gauges (the gateway's registry), set from each computation. */
  businessFiguresMetrics?: BusinessFiguresMetrics;
  /** How often the business figures are computed; 0 turns it off. Default: BUSINESS_FIGURES_EVERY_MS (off under NODE_ENV=test). */
  businessFiguresEveryMs?: number;
  /** Other journeys' workflow definitions, run by the same engine. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each definition has its own input type, stored as JSON
  extraDefinitions?: WorkflowDefinition<any>[];
}

export interface ProcessLayer {
  apis: ProcessApis;
  engine: WorkflowEngine;
  inbox: InboxProcessor;
  /** Mount at `/webhooks`: `POST /webhooks/crm`, `/webhooks/erp` and `/webhooks/scheduling`. */
  webhooks: Router;
  /** The journey of each workflow the engine runs, as each definition declares it. */
  journeys: Journeys;
  /** The sources whose webhooks the inbox takes (a platform each), in the order the operations view reports them. */
  webhookSources: typeof WEBHOOK_SOURCES;
  start(): void;
  stop(): Promise<void>;
}

const WEBHOOK_SOURCES = ['crm', 'scheduling', 'erp'] as const;
/** The reconciling poll's name in the schedule claims. */
export const RECONCILE_JOB = 'billing-status-to-crm.reconcile';

export function createProcessApis(infra: Infra, systemApis: SystemApis, options: ProcessApisOptions = {}): ProcessLayer {
  const { store, logger, config } = infra;
  const { crm, erp, scheduling, time } = systemApis;
  const rules = options.rules ?? loadRegionalRules();
  // The opportunity-to-project workflows call back into its API, built after the engine: a late-bound reference.
  const late: { opportunityToProject?: OpportunityToProjectApi } = {};
  const provisioning = { store, crm, erp, scheduling, time, rules };
  const billing = { store, crm, erp };
  const invoicing = { store, erp, time, rules, logger: logger.child({ component: 'time-to-billing' }) };
  const forecasting = { store, scheduling, erp, rules };
  const definitions = [
    ...opportunityToProjectWorkflows(provisioning, () => late.opportunityToProject!),
    ...billingStatusWorkflows(billing),
    ...timeToBillingWorkflows(invoicing),
    assignmentToForecastWorkflow(forecasting),
    ...(options.extraDefinitions ?? []),
  ];
  const engine = new WorkflowEngine({
    store,
    logger: logger.child({ component: 'workflows' }),
    definitions,
    pollMs: config.jobs.workflows.pollMs,
    leaseMs: config.jobs.workflows.leaseMs,
    // A caller's own lease gets the engine's heartbeat for it, not the configured one for another lease.
    heartbeatMs: options.engine?.leaseMs === undefined ? config.jobs.workflows.heartbeatMs : undefined,
    ...options.engine,
  });
  const journeys = journeysOf(definitions, { provisioning: PROVISIONING_JOURNEY });
  const opportunityToProject = createOpportunityToProjectApi({ ...provisioning, engine });
  late.opportunityToProject = opportunityToProject;
  const billingStatusToCrm = createBillingStatusToCrmApi({
    ...billing,
    engine,
    erpForProjects: erp,
    logger: logger.child({ component: 'billing-status-to-crm' }),
    ...(options.billingStatusMetrics ? { metrics: options.billingStatusMetrics } : {}),
  });
  const timeToBilling = createTimeToBillingApi({ ...invoicing, engine });
  const clientBilling = createClientBillingView(invoicing);
  const assignmentToForecast = createAssignmentToForecastApi({ store, engine });
  // Bills the previous month once a day; starting a period is idempotent, so restarts start nothing twice.
  const billingEveryMs = options.billingEveryMs ?? config.jobs.billingScheduleEveryMs;
  const billingSchedule =
    billingEveryMs > 0
      ? new BillingSchedule(timeToBilling, { intervalMs: billingEveryMs, logger: logger.child({ component: 'billing-schedule' }) })
      : undefined;

  const forecastLogger = logger.child({ component: 'assignment-to-forecast' });
  const onSchedulingWebhook = schedulingWebhookHandler(() => assignmentToForecast, forecastLogger);
  const onSchedulingPoll = schedulingPollHandler(() => assignmentToForecast, forecastLogger);
  const onTimePoll = lateApprovalHandler({
    billing: () => timeToBilling,
    logger: logger.child({ component: 'time-to-billing' }),
    ...(options.lateApprovalMetrics ? { metrics: options.lateApprovalMetrics } : {}),
  });
  const onCrmPoll = crmPollHandler(() => engine, logger.child({ component: 'opportunity-to-project' }));
  const onEvent: InboxHandler = async (message, ctx) => {
    const started =
      message.source === 'crm'
        ? await opportunityToProject.onCrmChange(message, ctx)
        : message.source === CRM_POLLED_SOURCE
          ? await onCrmPoll(message, ctx)
          : message.source === 'erp'
            ? await billingStatusToCrm.onErpWebhook(message, ctx)
            : message.source === ERP_POLLED_SOURCE
              ? await billingStatusToCrm.onErpPoll(message, ctx)
              : message.source === 'scheduling'
                ? await onSchedulingWebhook(message, ctx)
                : message.source === POLLED_SOURCE
                  ? await onSchedulingPoll(message, ctx)
                  : message.source === TIME_POLLED_SOURCE
                    ? await onTimePoll(message, ctx)
                    : false;
    if (started) setImmediate(() => engine.kick()); // after the inbox transaction commits
  };
  const inbox = new InboxProcessor({
    store,
    onEvent,
    logger: logger.child({ component: 'inbox' }),
    ...(options.inboxPollMs ? { pollMs: options.inboxPollMs } : {}),
  });
  const p = config.platforms;
  const rejections = config.gateway.webhookRejections;
  const webhooks = inboxRouter({
    store,
    processor: inbox,
    rejectionBounds: { maxPerSource: rejections.maxPerSource, retentionMs: rejections.retentionHours * 3_600_000 },
    sources: {
      crm: { secret: options.webhookSecrets?.crm ?? p.crm.webhookSecret },
      erp: { secret: options.webhookSecrets?.erp ?? p.erp.webhookSecret },
      scheduling: { secret: options.webhookSecrets?.scheduling ?? p.scheduling.webhookSecret },
    },
  });
  // One poller per feed, recording into the inbox and waking it; an interval of 0 turns a feed off.
  const pollerOf = <P>(intervalMs: number, feed: () => ChangeFeed<P>) =>
    intervalMs > 0
      ? new ChangePoller(feed(), {
          store,
          intervalMs,
          logger: logger.child({ component: 'change-capture' }),
          ...(options.changeCaptureMetrics ? { metrics: options.changeCaptureMetrics } : {}),
          onRecorded: () => inbox.kick(),
        })
      : undefined;
  const s = p.scheduling;
  const pollers = [
    // Float sends no webhooks: its allocations are read on a schedule.
    pollerOf(s.pollIntervalMs, () => assignmentChangeFeed(scheduling, { deletionCheckEveryMs: s.deletionCheckMs })),
    // The CRM's change events are fast but kept 72 h; this poll finds the wins they no longer hold.
    pollerOf(p.crm.pollIntervalMs, () => opportunityChangeFeed(crm, { lookbackHours: p.crm.pollLookbackHours })),
    // ERP's billing changes (payments, credit memos, refunds entered by hand included) read by
    // SuiteQL on a schedule: what no webhook brought starts its run within one interval.
    pollerOf(p.erp.pollIntervalMs, () => billingChangeFeed(erp)),
    // Harvest sends no webhooks: time approved after its period was billed is found by this poll
    // and billed on a further invoice of that period. A first start reads back to the start of
    // the previous month (the period the schedule bills last), not from the beginning of time.
    pollerOf(p.time.pollIntervalMs, () => timeEntryChangeFeed(time, { lookbackFrom: () => previousMonthStart(new Date()) })),
  ].filter((poller) => poller !== undefined);
  // With the change feed, the every-client comparison is only a safety net (a change the feed
  // could not tell apart within one second, a cursor reset): rare by default (RECONCILE_EVERY_MS).
  const reconcileEveryMs = options.reconcileEveryMs ?? config.jobs.reconcileEveryMs;
  const scheduleMetrics = options.scheduleMetrics ?? noopScheduleMetrics;
  // Every replica runs the loop; the claim in the shared store lets one of them poll ERP per
  // period. Waking twice a period means no period goes unpolled while the loop drifts.
  const reconciler =
    reconcileEveryMs > 0
      ? new PollLoop(
          async () => {
            const claimed = await claimPeriod(store.db, RECONCILE_JOB, reconcileEveryMs, engine.workerId);
            scheduleMetrics.round(RECONCILE_JOB, claimed ? 'ran' : 'skipped');
            if (claimed) await billingStatusToCrm.reconcile();
            return 0;
          },
          Math.max(1, Math.floor(reconcileEveryMs / 2)),
          (err) => logger.warn({ err: String(err) }, 'billing status reconciliation failed; next round retries'),
        )
      : undefined;

  // The reconciliation checks, one line per journey's set: each compares the platforms' records
  // (or the layer's runs) for one question and proposes a repair through its journey.
  const kick = () => engine.kick();
  const reconLogger = logger.child({ component: 'reconciliation' });
  const reconciliationChecks: ReconciliationCheck[] = [
    ...opportunityToProjectChecks({ db: store.db, crm, erp, kick }, opportunityToProject, {
      windowDays: config.jobs.reconcileWonDealsDays,
    }),
    // Changes on Float younger than two poll rounds are the change poll's to bring.
    ...assignmentToForecastChecks({ store, scheduling, erp, kick }, assignmentToForecast, {
      graceMs: Math.max(120_000, 2 * p.scheduling.pollIntervalMs),
    }),
    ...timeToBillingChecks({ ...invoicing, logger: reconLogger }, timeToBilling, { kick }),
    ...billingStatusToCrmChecks({ store, erp, crm, kick, logger: reconLogger }, billingStatusToCrm),
    ...(options.extraReconciliationChecks ?? []),
  ];
  const reconciliation = createReconciliation(infra, reconciliationChecks, {
    metrics: options.reconciliationMetrics,
    scheduleMetrics,
    holder: engine.workerId,
  });

  const figuresConfig = config.jobs.businessFigures;
  const businessFigures = createBusinessFiguresApi({
    store,
    logger: logger.child({ component: 'business-figures' }),
    shape: { journeys, webhookSources: WEBHOOK_SOURCES },
    sources: { erp, time, scheduling, forecast: assignmentToForecast, billing: timeToBilling, reconciliation: reconciliation.api },
    windowDays: figuresConfig.windowDays,
    retentionDays: figuresConfig.retentionDays,
    computedBy: engine.workerId,
    ...(options.businessFiguresMetrics ? { metrics: options.businessFiguresMetrics } : {}),
  });
  const figuresEveryMs = options.businessFiguresEveryMs ?? figuresConfig.everyMs;
  const figuresSchedule =
    figuresEveryMs > 0
      ? new BusinessFiguresSchedule(businessFigures, {
          db: store.db,
          everyMs: figuresEveryMs,
          workerId: engine.workerId,
          logger: logger.child({ component: 'business-figures' }),
          scheduleMetrics,
          ...(options.businessFiguresMetrics ? { metrics: options.businessFiguresMetrics } : {}),
        })
      : undefined;

  return {
    apis: {
      opportunityToProject,
      billingStatusToCrm,
      timeToBilling,
      clientBilling,
      assignmentToForecast,
      reconciliation: reconciliation.api,
      businessFigures,
    },
    engine,
    inbox,
    webhooks,
    journeys,
    webhookSources: WEBHOOK_SOURCES,
    start() {
      engine.start();
      inbox.start();
      for (const poller of pollers) poller.start();
      // The CRM's change events land in the inbox beside the webhooks; wake it when some did.
      crm.changeStream?.start({
        metrics: options.crmChangeStreamMetrics,
        capture: options.changeCaptureMetrics,
        onRecorded: () => inbox.kick(),
      });
      reconciler?.start();
      billingSchedule?.start();
      reconciliation.start();
      figuresSchedule?.start();
    },
    async stop() {
      await reconciliation.stop();
      await crm.changeStream?.stop();
      billingSchedule?.stop();
      await figuresSchedule?.stop();
      await reconciler?.stop();
      await Promise.all(pollers.map((poller) => poller.stop()));
      await inbox.stop();
      await engine.stop();
    },
  };
}
