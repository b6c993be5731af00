// The platform side of the composition root: the embedded sandboxes (development default)
// and the system APIs on their connectors. A platform with neither a configured
// base URL nor an embedded sandbox gets a stand-in whose every call answers 503, so the
// rest of the layer still starts and says plainly what is missing.
import type { Config } from '../core/config/index.js';
import type { PlatformsConfig } from '../core/config/platforms.js';
import { outboundTraceparent } from '../core/http/current.js';
import type { Logger } from '../core/observability/logger.js';
import { ProblemError } from '../core/problems.js';
import type { Store } from '../core/store/index.js';
import { startSandboxes } from '../sandboxes/index.js';
import { createCrmSystem } from '../system-apis/crm/index.js';
import { createErpSystem } from '../system-apis/erp/index.js';
import type { Platform, SystemApis } from '../system-apis/index.js';
import { createSchedulingSystem } from '../system-apis/scheduling/index.js';
import { createTimeSystem } from '../system-apis/time/index.js';

/** Each system API's `create<Platform>System`: the same shape four times. */
type PlatformFactory<P extends Platform, Api> = (opts: {
  connection: PlatformsConfig[P];
  baseUrl: string;
  store: Store;
  logger: Logger;
  traceparent: () => string | undefined;
}) => { api: Api; close(): Promise<void> };

export interface Platforms {
  systemApis: SystemApis;
  /** Where each embedded sandbox listens, when they run. */
  sandboxUrls: Partial<Record<Platform, string>>;
  /** Points an embedded sandbox's signed webhooks at the layer; a no-op without sandboxes. */
  subscribeWebhooks(platform: Platform, url: string): void;
  close(): Promise<void>;
}

/**
 * A service whose every method answers 503 naming the missing configuration. `absent` names the
 * members that are not methods (a system API's optional parts, such as the CRM's change stream):
 * they read as undefined, so a caller that checks for them finds none instead of a function.
 */
export function unconfigured<T extends object>(platform: string, variable: string, absent: readonly (keyof T)[] = []): T {
  return new Proxy({} as T, {
    get(_target, property) {
      if (property === 'then') return undefined; // not a thenable
      if ((absent as readonly PropertyKey[]).includes(property)) return undefined;
      return () => {
        throw new ProblemError('upstream-unavailable', {
          detail: `The ${platform} platform is not configured (set ${variable}, or SANDBOXES=embedded in development).`,
        });
      };
    },
  });
}

/** Turns on the CRM sandbox's relay switch (its own admin API): change events as signed webhooks. */
export async function relayCrmChangeEvents(crmSandboxUrl: string): Promise<void> {
  const res = await fetch(`${crmSandboxUrl}/_sandbox/change-events`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ relay: true }),
  });
  if (!res.ok) throw new Error(`The CRM sandbox refused its relay switch: ${res.status}`);
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
    // Where the layer takes CRM change events from a relay, the embedded CRM stands in for that relay too.
    if (p.crm.changeEvents.mode === 'relay' && sandboxes.urls.crm) {
      await relayCrmChangeEvents(sandboxes.urls.crm).catch(async (err: unknown) => {
        await sandboxes.close();
        throw err;
      });
    }
    // Each sandbox signs with the secret the layer's inbox expects for that platform.
    subscribeWebhooks = (platform, url) => sandboxes.subscribe(platform, { url, secret: p[platform].webhookSecret });
  }
  const base = (platform: Platform, configured?: string) => configured ?? sandboxUrls[platform];
  // One line per platform: its system API on the configured base URL or the embedded sandbox.
  const build = <P extends Platform, Api extends object>(
    platform: P,
    name: string,
    create: PlatformFactory<P, Api>,
    absent: readonly (keyof Api)[] = [],
  ): Api => {
    const baseUrl = base(platform, p[platform].baseUrl);
    if (!baseUrl) return unconfigured<Api>(name, `${platform.toUpperCase()}_BASE_URL`, absent);
    const system = create({ connection: p[platform], baseUrl, store, logger, traceparent: outboundTraceparent });
    closers.push(() => system.close());
    return system.api;
  };
  try {
    const systemApis: SystemApis = {
      // An unconfigured CRM has no change stream for the process layer to start.
      crm: build('crm', 'CRM', createCrmSystem, ['changeStream']),
      erp: build('erp', 'ERP', createErpSystem),
      scheduling: build('scheduling', 'scheduling', createSchedulingSystem),
      time: build('time', 'time', createTimeSystem),
    };
    return {
      systemApis,
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
