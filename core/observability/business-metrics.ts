// The business figures the integration team watches, read from the durable core's tables
// with a handful of index-backed queries, and exposed as Prometheus gauges collected on
// scrape. The operations API's summary reads the same figures, so the two never disagree.
import { sql, type Kysely } from 'kysely';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Infra } from '../api-module.js';
import { droppedRejections } from '../inbox/record.js';
import type { Database } from '../store/schema.js';
import type { Journeys } from '../workflows/journeys.js';
import type { RunOutcomeKind, RunState } from '../workflows/schema.js';
import '../events/schema.js';
import '../inbox/schema.js';
import '../workflows/schema.js';

/**
 * States counted in full. Finished runs (completed, compensated, cancelled) only ever grow, so
 * their totals are counted over the last day instead (see countRuns).
 */
export const OPEN_RUN_STATES: readonly RunState[] = ['pending', 'running', 'waiting', 'failed'];
const FINISHED_RUN_STATES: readonly RunState[] = ['completed', 'compensated', 'cancelled'];

/** What the composition root tells the figures about the layer; core names no journey and no platform. */
export interface LayerShape {
  /** The journey of each workflow, from the registered definitions. */
  journeys: Journeys;
  /** The source names inbound webhooks are recorded under (the platforms that send them), in reporting order. */
  webhookSources: readonly string[];
}

export interface PlatformFreshness {
  platform: string;
  /** Epoch ms of the last verified webhook received from the platform. */
  lastWebhookMs: number;
  lastWebhookAgeSeconds: number;
}

export interface RunCount {
  journey: string;
  workflow: string;
  state: RunState;
  /** Completed runs that were refused or skipped are counted apart, with it. */
  outcome?: RunOutcomeKind;
  count: number;
}

export interface BusinessFigures {
  /** Runs in the open states, all of them; and, unless left out, finished runs created in the last 24 hours. */
  runs: RunCount[];
  openDeadLetters: number;
  undispatchedEvents: number;
  /** Age of the oldest event not yet dispatched, when there is one. */
  oldestUndispatchedAgeSeconds?: number;
  pendingDeliveries: number;
  oldestPendingDeliveryAgeSeconds?: number;
  deadDeliveries: number;
  rejectedWebhooksLastDay: number;
  /** Runs of the provisioning journey that failed and were neither retried nor cancelled (counted in full). */
  failedProvisioning: number;
  /** Per platform that ever sent a webhook: when the last one arrived. */
  platforms: PlatformFreshness[];
}

const DAY_MS = 86_400_000;
const num = (value: unknown) => Number(value ?? 0);

async function countRuns(db: Kysely<Database>, journeys: Journeys, now: number, recentFinished: boolean): Promise<RunCount[]> {
  // Open runs: a range of workflow_runs_due_idx (state, next_attempt_ms); few rows by nature.
  const open = await db
    .selectFrom('workflow_runs')
    .select(['definition', 'state', (eb) => eb.fn.countAll<string>().as('n')])
    .where('state', 'in', [...OPEN_RUN_STATES])
    .groupBy(['state', 'definition'])
    .execute();
  if (!recentFinished)
    return open.map((r) => ({ journey: journeys.of(r.definition), workflow: r.definition, state: r.state, count: num(r.n) }));
  // Runs of the last day: a range of workflow_runs_created_idx, so the cost follows a day's
  // volume, not the table's. Grouping on `state || ''` keeps SQLite from walking a whole
  // state-led index just to read the groups in order (PostgreSQL hashes either way).
  const stateText = sql<RunState>`${sql.ref('state')} || ''`;
  const recent = await db
    .selectFrom('workflow_runs')
    .select(['definition', stateText.as('state'), 'outcome', (eb) => eb.fn.countAll<string>().as('n')])
    .where('created_at_ms', '>=', now - DAY_MS)
    .groupBy([stateText, 'definition', 'outcome'])
    .execute();
  const finished = recent.filter((r) => FINISHED_RUN_STATES.includes(r.state));
  return [...open.map((r) => ({ ...r, outcome: null })), ...finished]
    .map((r) => ({
      journey: journeys.of(r.definition),
      workflow: r.definition,
      state: r.state,
      ...(r.outcome ? { outcome: r.outcome } : {}),
      count: num(r.n),
    }))
    .sort(
      (a, b) => a.workflow.localeCompare(b.workflow) || a.state.localeCompare(b.state) || (a.outcome ?? '').localeCompare(b.outcome ?? ''),
    );
}

function ageOf(oldestMs: unknown, now: number): number | undefined {
  return oldestMs === undefined || oldestMs === null ? undefined : Math.max(0, Math.floor((now - Number(oldestMs)) / 1000));
}

async function platformFreshness(db: Kysely<Database>, sources: readonly string[], now: number): Promise<PlatformFreshness[]> {
  // One query per source, each the end of a range of ops_inbox_messages_source_received_idx.
  const latest = await Promise.all(
    sources.map(async (platform) => {
      const row = await db
        .selectFrom('inbox_messages')
        .select((eb) => eb.fn.max('received_at_ms').as('last'))
        .where('source', '=', platform)
        .executeTakeFirst();
      return { platform, last: row?.last };
    }),
  );
  return latest
    .filter((l) => l.last !== null && l.last !== undefined)
    .map((l) => ({ platform: l.platform, lastWebhookMs: Number(l.last), lastWebhookAgeSeconds: ageOf(l.last, now) ?? 0 }));
}

/**
 * Reads the figures. `recentFinished: false` (what a scrape uses) leaves out the finished runs of
 * the last day, whose cost grows with the day's volume; the summary asks for them.
 */
export async function readBusinessFigures(
  db: Kysely<Database>,
  layer: LayerShape,
  options: { now?: number; recentFinished?: boolean } = {},
): Promise<BusinessFigures> {
  const now = options.now ?? Date.now();
  const [runs, openDeadLetters, undispatched, oldestEvent, pending, oldestDelivery, dead, rejected, platforms] = await Promise.all([
    countRuns(db, layer.journeys, now, options.recentFinished ?? true),
    // Neither replayed nor discarded; ops_workflow_dead_letters_state_idx (state, id) keeps it a range read.
    db
      .selectFrom('workflow_dead_letters')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('state', '=', 'open')
      .executeTakeFirst(),
    db
      .selectFrom('event_outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('dispatched', '=', 0)
      .executeTakeFirst(),
    // The lowest undispatched seq is the oldest: event_outbox_pending_idx (dispatched, seq) finds it at once.
    db.selectFrom('event_outbox').select('created_at_ms').where('dispatched', '=', 0).orderBy('seq').limit(1).executeTakeFirst(),
    db
      .selectFrom('event_deliveries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('state', '=', 'pending')
      .executeTakeFirst(),
    db
      .selectFrom('event_deliveries')
      .select((eb) => eb.fn.min('created_at_ms').as('oldest'))
      .where('state', '=', 'pending')
      .executeTakeFirst(),
    db
      .selectFrom('event_deliveries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('state', '=', 'dead')
      .executeTakeFirst(),
    db
      .selectFrom('inbox_rejections')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('received_at_ms', '>=', now - DAY_MS)
      .executeTakeFirst(),
    platformFreshness(db, layer.webhookSources, now),
  ]);
  const oldestUndispatchedAgeSeconds = ageOf(oldestEvent?.created_at_ms, now);
  const oldestPendingDeliveryAgeSeconds = ageOf(oldestDelivery?.oldest, now);
  return {
    runs,
    openDeadLetters: num(openDeadLetters?.n),
    undispatchedEvents: num(undispatched?.n),
    ...(oldestUndispatchedAgeSeconds === undefined ? {} : { oldestUndispatchedAgeSeconds }),
    pendingDeliveries: num(pending?.n),
    ...(oldestPendingDeliveryAgeSeconds === undefined ? {} : { oldestPendingDeliveryAgeSeconds }),
    deadDeliveries: num(dead?.n),
    rejectedWebhooksLastDay: num(rejected?.n),
    failedProvisioning: runs
      .filter((r) => layer.journeys.provisioning !== undefined && r.workflow === layer.journeys.provisioning && r.state === 'failed')
      .reduce((sum, r) => sum + r.count, 0),
    platforms,
  };
}

export interface BusinessMetrics {
  /** The last figures read by a scrape (for tests and logs). */
  lastFigures(): BusinessFigures | undefined;
}

/**
 * Registers the business gauges on the gateway's registry. One scrape reads the figures once
 * (the gauges share one read per scrape, not one query per gauge or label).
 * Wiring: `registerBusinessMetrics(gateway.metrics.registry, infra, layers.shape)` in gateway/server.ts once the store is open.
 */
export function registerBusinessMetrics(registry: Registry, infra: Pick<Infra, 'store' | 'logger'>, layer: LayerShape): BusinessMetrics {
  let last: BusinessFigures | undefined;
  let inFlight: Promise<BusinessFigures | undefined> | undefined;
  // Gauges collect one after the other during a scrape: the first starts the read, the others share it.
  const figures = (): Promise<BusinessFigures | undefined> => {
    inFlight ??= readBusinessFigures(infra.store.db, layer, { recentFinished: false })
      .then((f) => (last = f))
      .catch((err: unknown) => {
        infra.logger.warn({ err: String(err) }, 'business metrics could not be read');
        return undefined;
      })
      .finally(() => setImmediate(() => (inFlight = undefined)));
    return inFlight;
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], set: (g: Gauge<L>, f: BusinessFigures) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const f = await figures();
        this.reset();
        if (f) set(this, f);
      },
    });

  new Counter({
    name: 'layer_inbox_rejections_dropped_total',
    help: 'Rejected inbound webhooks not stored because their source was at its bound (WEBHOOK_REJECTIONS_MAX)',
    labelNames: ['source'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [source, n] of droppedRejections) this.inc({ source }, n);
    },
  });
  gauge('layer_dead_letters_open', 'Workflow dead letters neither replayed nor discarded', [], (g, f) => g.set(f.openDeadLetters));
  gauge('layer_outbox_undispatched_events', 'Business events written to the outbox and not yet dispatched', [], (g, f) =>
    g.set(f.undispatchedEvents),
  );
  gauge('layer_outbox_oldest_undispatched_age_seconds', 'Age of the oldest undispatched outbox event (0 when there is none)', [], (g, f) =>
    g.set(f.oldestUndispatchedAgeSeconds ?? 0),
  );
  gauge('layer_event_deliveries_pending', 'Webhook and retried event deliveries still due', [], (g, f) => g.set(f.pendingDeliveries));
  gauge('layer_event_deliveries_dead', 'Event deliveries that gave up after their last attempt', [], (g, f) => g.set(f.deadDeliveries));
  gauge(
    'layer_workflow_runs',
    'Unfinished and failed workflow runs by journey, workflow and state',
    ['journey', 'workflow', 'state'],
    (g, f) => {
      // Refused and skipped runs are rows of their own in the figures; this gauge keeps one series per state.
      for (const r of f.runs) g.inc({ journey: r.journey, workflow: r.workflow, state: r.state }, r.count);
    },
  );
  gauge('layer_provisioning_failed_runs', 'Opportunity-to-project runs that failed and were neither retried nor cancelled', [], (g, f) =>
    g.set(f.failedProvisioning),
  );
  gauge('layer_inbound_webhooks_rejected_last_day', 'Inbound webhooks refused (signature or timestamp) in the last 24 h', [], (g, f) =>
    g.set(f.rejectedWebhooksLastDay),
  );
  gauge(
    'layer_platform_last_webhook_age_seconds',
    'Seconds since the last verified webhook from each platform (freshness as heard through webhooks)',
    ['platform'],
    (g, f) => {
      for (const p of f.platforms) g.set({ platform: p.platform }, p.lastWebhookAgeSeconds);
    },
  );
  return { lastFigures: () => last };
}
