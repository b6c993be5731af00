// The summary the operations view opens with: the business figures from the durable core,
// plus approved-but-unbilled time when the time-to-billing journey is wired in and answers.
import { readBusinessFigures, type LayerShape } from '../../core/observability/business-metrics.js';
import type { Infra } from '../../core/api-module.js';
import type { OperationsSummary } from './types.js';

type Platform = NonNullable<OperationsSummary['platforms']>[number]['platform'];
const CONTRACT_PLATFORMS: readonly string[] = ['crm', 'scheduling', 'time', 'erp'] satisfies Platform[];
const isContractPlatform = (source: string): source is Platform => CONTRACT_PLATFORMS.includes(source);

/** What the summary needs of time-to-billing (its `listUnbilledWork`), typed here so the summary does not depend on its wiring. */
export interface UnbilledWorkSource {
  listUnbilledWork(query: {
    cursor?: string;
    limit: number;
  }): Promise<{ items: Array<{ approvedMinutes: number }>; nextCursor: string | null }>;
}

/** Unbilled time asks the Time and ERP platforms; a slow or failing answer leaves the figure out rather than guessing. */
const UNBILLED_BUDGET_MS = 2_000;
const UNBILLED_MAX_PAGES = 20;

async function approvedUnbilledMinutes(source: UnbilledWorkSource | undefined): Promise<number | undefined> {
  if (!source || typeof source.listUnbilledWork !== 'function') return undefined;
  const sum = async () => {
    let total = 0;
    let cursor: string | undefined;
    for (let page = 0; page < UNBILLED_MAX_PAGES; page++) {
      const answer = await source.listUnbilledWork({ limit: 200, ...(cursor ? { cursor } : {}) });
      total += answer.items.reduce((s, w) => s + w.approvedMinutes, 0);
      if (!answer.nextCursor) return total;
      cursor = answer.nextCursor;
    }
    return undefined; // more than we read: a partial sum would understate it
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), UNBILLED_BUDGET_MS);
  });
  try {
    return await Promise.race([sum().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function operationsSummary(
  { infra, shape, timeToBilling }: { infra: Pick<Infra, 'store' | 'logger'>; shape: LayerShape; timeToBilling?: UnbilledWorkSource },
  logger = infra.logger,
): Promise<OperationsSummary> {
  const [figures, unbilled] = await Promise.all([readBusinessFigures(infra.store.db, shape), approvedUnbilledMinutes(timeToBilling)]);
  if (timeToBilling && unbilled === undefined)
    logger.warn('approved unbilled time left out of the summary: time-to-billing did not answer in time');
  // The contract names the platforms it reports; a webhook source it does not know is left out.
  const platforms = figures.platforms.flatMap((p) => (isContractPlatform(p.platform) ? [{ ...p, platform: p.platform }] : []));
  return {
    generatedAt: new Date().toISOString(),
    runs: figures.runs,
    openDeadLetters: figures.openDeadLetters,
    outbox: {
      undispatchedEvents: figures.undispatchedEvents,
      ...(figures.oldestUndispatchedAgeSeconds === undefined ? {} : { oldestUndispatchedAgeSeconds: figures.oldestUndispatchedAgeSeconds }),
      pendingDeliveries: figures.pendingDeliveries,
      ...(figures.oldestPendingDeliveryAgeSeconds === undefined
        ? {}
        : { oldestPendingDeliveryAgeSeconds: figures.oldestPendingDeliveryAgeSeconds }),
      deadDeliveries: figures.deadDeliveries,
    },
    rejectedWebhooksLastDay: figures.rejectedWebhooksLastDay,
    failedProvisioning: figures.failedProvisioning,
    ...(unbilled === undefined ? {} : { approvedUnbilledMinutes: unbilled }),
    ...(platforms.length === 0
      ? {}
      : {
          platforms: platforms.map((p) => ({
            platform: p.platform,
            lastWebhookAt: new Date(p.lastWebhookMs).toISOString(),
            lastWebhookAgeSeconds: p.lastWebhookAgeSeconds,
          })),
        }),
  };
}
