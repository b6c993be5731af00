// The platform side of the composition root: the embedded sandboxes (development default)
// and the system API services on their connectors. A platform with neither a configured
// base URL nor an embedded sandbox gets a stand-in whose every call answers 503, so the
// rest of the layer still starts and says plainly what is missing.
import type { Config } from '../core/config/index.js';
import { outboundTraceparent } from '../core/http/current.js';
import type { Logger } from '../core/observability/logger.js';
import { ProblemError } from '../core/problems.js';
import type { Services } from '../core/services.js';
import type { Store } from '../core/store/index.js';
import { startSandboxes } from '../sandboxes/index.js';
import { createCrmSystem } from '../system-apis/crm/index.js';
import { createErpSystemApi, ErpConnector } from '../system-apis/erp/index.js';
import { createSchedulingSystem } from '../system-apis/scheduling/index.js';
import { createTimeSystem } from '../system-apis/time/index.js';

type PlatformServices = Pick<Services, 'crmSystem' | 'erpSystem' | 'schedulingSystem' | 'timeSystem'>;

export interface Platforms {
  services: PlatformServices;
  /** Where each embedded sandbox listens, when they run. */
  sandboxUrls: Partial<Record<'crm' | 'scheduling' | 'time' | 'erp', string>>;
  /** Points an embedded sandbox's signed webhooks at the layer; a no-op without sandboxes. */
  subscribeWebhooks(platform: 'crm' | 'scheduling' | 'time' | 'erp', url: string): void;
  close(): Promise<void>;
}

/** A service whose every method answers 503 naming the missing configuration. */
export function unconfigured<T extends object>(platform: string, variable: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      if (property === 'then') return undefined; // not a thenable
      return () => {
        throw new ProblemError('upstream-unavailable', {
          detail: `The ${platform} platform is not configured (set ${variable}, or SANDBOXES=embedded in development).`,
        });
      };
    },
  });
}

export async function startPlatforms(config: Config, store: Store, logger: Logger): Promise<Platforms> {
  const closers: Array<() => Promise<void>> = [];
  const p = config.platforms;
  let sandboxUrls: Platforms['sandboxUrls'] = {};
  let subscribeWebhooks: Platforms['subscribeWebhooks'] = () => undefined;
  if (p.embeddedSandboxes) {
    const sandboxes = await startSandboxes({
      logger: logger.child({ component: 'sandbox' }),
      host: '127.0.0.1',
      webhookSecrets: {
        crm: p.crm.webhookSecret,
        scheduling: p.scheduling.webhookSecret,
        time: p.time.webhookSecret,
        erp: p.erp.webhookSecret,
      },
    });
    closers.push(() => sandboxes.close());
    sandboxUrls = sandboxes.urls;
    // Each sandbox signs with the secret the layer's inbox expects for that platform.
    subscribeWebhooks = (platform, url) => sandboxes.subscribe(platform, { url, secret: p[platform].webhookSecret });
  }
  const base = (platform: keyof Platforms['sandboxUrls'], configured?: string) => configured ?? sandboxUrls[platform];
  try {
    const crmUrl = base('crm', p.crm.baseUrl);
    const crm = crmUrl
      ? createCrmSystem({ connection: p.crm, baseUrl: crmUrl, store, logger, traceparent: outboundTraceparent })
      : undefined;
    if (crm) closers.push(() => crm.close());

    const schedulingUrl = base('scheduling', p.scheduling.baseUrl);
    const scheduling = schedulingUrl
      ? createSchedulingSystem({ connection: p.scheduling, baseUrl: schedulingUrl, store, logger, traceparent: outboundTraceparent })
      : undefined;
    if (scheduling) closers.push(() => scheduling.close());

    const timeUrl = base('time', p.time.baseUrl);
    const time = timeUrl
      ? createTimeSystem({ connection: p.time, baseUrl: timeUrl, store, logger, traceparent: outboundTraceparent })
      : undefined;
    if (time) closers.push(() => time.close());

    const erpUrl = base('erp', p.erp.baseUrl);
    const erpConnector = erpUrl
      ? new ErpConnector({
          baseUrl: erpUrl,
          clientId: p.erp.clientId,
          clientSecret: p.erp.clientSecret,
          timeoutMs: p.erp.timeoutMs,
          logger: logger.child({ platform: 'erp' }),
          traceparent: outboundTraceparent,
        })
      : undefined;
    if (erpConnector) closers.push(() => erpConnector.close());

    return {
      services: {
        crmSystem: crm?.api ?? unconfigured('CRM', 'CRM_BASE_URL'),
        schedulingSystem: scheduling?.api ?? unconfigured('scheduling', 'SCHEDULING_BASE_URL'),
        timeSystem: time?.api ?? unconfigured('time', 'TIME_BASE_URL'),
        erpSystem: erpConnector ? createErpSystemApi({ connector: erpConnector, store, logger }) : unconfigured('ERP', 'ERP_BASE_URL'),
      },
      sandboxUrls,
      subscribeWebhooks,
      async close() {
        for (const close of closers.reverse())
          await close().catch((err: unknown) => logger.error({ err: String(err) }, 'error closing a platform'));
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw err;
  }
}
