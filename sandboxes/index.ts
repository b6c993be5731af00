// Starts the platform sandboxes on loopback, e.g. for `npm start` with no platform
// configured. A platform whose sandbox module is missing is skipped with a clear message.
import { pino, type Logger } from 'pino';
import { createSandboxApp, listen, type SandboxApp, type SandboxDefinition, type SandboxPlatform, type SeedSize } from './kit/index.js';

export const SANDBOX_PLATFORMS: readonly SandboxPlatform[] = ['crm', 'scheduling', 'time', 'erp'];

/** The export each `sandboxes/<platform>/index.ts` provides. */
const EXPORT_NAMES: Record<SandboxPlatform, string> = {
  crm: 'crmSandbox',
  scheduling: 'schedulingSandbox',
  time: 'timeSandbox',
  erp: 'erpSandbox',
};

// A definition's state type is its own business; here it is only passed through.
type AnyDefinition = SandboxDefinition<unknown>;
export type ModuleImporter = (specifier: string) => Promise<Record<string, unknown>>;

export interface WebhookTarget {
  url: string;
  /** Signing secret for this subscriber; default the sandbox's own secret. */
  secret?: string;
}

export interface StartSandboxesOptions {
  seed?: SeedSize;
  logger?: Logger;
  /** Subscribers registered at start, per platform. More can be added later with `subscribe`. */
  webhookTargets?: Partial<Record<SandboxPlatform, WebhookTarget | WebhookTarget[]>>;
  /** The secret each sandbox signs webhooks with (match the layer's *_WEBHOOK_SECRET). */
  webhookSecrets?: Partial<Record<SandboxPlatform, string>>;
  /** Which platforms to start; default all four. */
  platforms?: readonly SandboxPlatform[];
  /** Fixed ports per platform; default any free port. */
  ports?: Partial<Record<SandboxPlatform, number>>;
  host?: string;
  /** Definitions to use instead of importing `sandboxes/<platform>/index.ts` (tests). */
  definitions?: Partial<Record<SandboxPlatform, AnyDefinition>>;
  /** How platform modules are imported (tests replace it to simulate a missing module). */
  importer?: ModuleImporter;
}

export interface StartedSandbox {
  platform: SandboxPlatform;
  url: string;
  port: number;
  sandbox: SandboxApp<unknown>;
}

export interface RunningSandboxes {
  /** Base URL per started platform. */
  urls: Partial<Record<SandboxPlatform, string>>;
  sandboxes: Partial<Record<SandboxPlatform, StartedSandbox>>;
  /** Platforms that were asked for but whose module is missing. */
  missing: SandboxPlatform[];
  subscribe(platform: SandboxPlatform, target: WebhookTarget): void;
  close(): Promise<void>;
}

const defaultImporter: ModuleImporter = (specifier) => import(specifier) as Promise<Record<string, unknown>>;

function isMissingModule(err: unknown, specifier: string): boolean {
  const e = err as { code?: string; message?: string };
  return (
    (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') &&
    (e.message ?? '').includes(specifier.replace(/^\.\//, '').replace(/\.js$/, ''))
  );
}

/**
 * Loads `sandboxes/<platform>/index.ts` and returns its definition, or undefined (with a
 * warning that says what is missing) when the module or its export does not exist yet.
 * Any other import failure is a bug in that module and is rethrown.
 */
export async function loadSandboxDefinition(
  platform: SandboxPlatform,
  logger: Logger,
  importer: ModuleImporter = defaultImporter,
): Promise<AnyDefinition | undefined> {
  const specifier = `./${platform}/index.js`;
  let mod: Record<string, unknown>;
  try {
    mod = await importer(specifier);
  } catch (err) {
    if (!isMissingModule(err, specifier)) throw err;
    logger.warn({ platform }, `No ${platform} sandbox: sandboxes/${platform}/index.ts does not exist yet; ${platform} is not started.`);
    return undefined;
  }
  const def = mod[EXPORT_NAMES[platform]] as AnyDefinition | undefined;
  if (!def || typeof def.seed !== 'function' || typeof def.routes !== 'function') {
    logger.warn(
      { platform },
      `No ${platform} sandbox: sandboxes/${platform}/index.ts does not export ${EXPORT_NAMES[platform]}; ${platform} is not started.`,
    );
    return undefined;
  }
  return def;
}

const asList = (t: WebhookTarget | WebhookTarget[] | undefined): WebhookTarget[] => (t === undefined ? [] : Array.isArray(t) ? t : [t]);

export async function startSandboxes(opts: StartSandboxesOptions = {}): Promise<RunningSandboxes> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const started: Partial<Record<SandboxPlatform, StartedSandbox & { close(): Promise<void> }>> = {};
  const missing: SandboxPlatform[] = [];
  const closeAll = async () => {
    await Promise.all(Object.values(started).map((s) => s.close()));
  };
  try {
    for (const platform of opts.platforms ?? SANDBOX_PLATFORMS) {
      const def = opts.definitions?.[platform] ?? (await loadSandboxDefinition(platform, logger, opts.importer));
      if (!def) {
        missing.push(platform);
        continue;
      }
      const sandbox = createSandboxApp(def, { seed: opts.seed ?? 'small', logger, webhookSecret: opts.webhookSecrets?.[platform] });
      const running = await listen(sandbox.app, { port: opts.ports?.[platform], host: opts.host });
      for (const target of asList(opts.webhookTargets?.[platform])) sandbox.ctx.webhooks.subscribe(target.url, target.secret);
      started[platform] = { platform, url: running.url, port: running.port, sandbox, close: running.close };
      logger.info({ platform, url: running.url }, `${platform} sandbox listening`);
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  const urls: Partial<Record<SandboxPlatform, string>> = {};
  const sandboxes: Partial<Record<SandboxPlatform, StartedSandbox>> = {};
  for (const [platform, s] of Object.entries(started) as Array<[SandboxPlatform, StartedSandbox & { close(): Promise<void> }]>) {
    urls[platform] = s.url;
    sandboxes[platform] = { platform, url: s.url, port: s.port, sandbox: s.sandbox };
  }
  return {
    urls,
    sandboxes,
    missing,
    subscribe(platform, target) {
      const s = started[platform];
      if (!s) throw new Error(`The ${platform} sandbox is not running`);
      s.sandbox.ctx.webhooks.subscribe(target.url, target.secret);
    },
    close: closeAll,
  };
}
