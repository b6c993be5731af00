// Platform connections: base URLs and credentials per platform. With none set, the
// layer starts the embedded sandboxes on loopback and points the connectors at them.
import { z } from 'zod';
import { read, httpUrl, nonNegativeInt, positiveInt, type Env } from './parse.js';
import type { RuntimeConfig } from './runtime.js';
import { erpM2mConfig, type ErpM2mConfig } from './erp-m2m.js';
import { crmChangeEventsConfig, type CrmChangeEventsConfig } from './crm-change-events.js';

export interface PlatformConnection {
  /** Unset = the embedded sandbox's URL, filled in at start-up. */
  baseUrl?: string;
  timeoutMs: number;
}

export interface PlatformsConfig {
  /** Start the four sandboxes in-process (default when no platform base URL is set). */
  embeddedSandboxes: boolean;
  crm: PlatformConnection & {
    clientId: string;
    clientSecret: string;
    apiVersion: string;
    webhookSecret: string;
    changeEvents: CrmChangeEventsConfig;
    /** How often the layer reads opportunities changed on the CRM (the catch-up poll); 0 turns it off. */
    pollIntervalMs: number;
    /** On the poll's first start (no cursor yet), how far back it reads. */
    pollLookbackHours: number;
  };
  scheduling: PlatformConnection & {
    apiToken: string;
    webhookSecret: string;
    /** How often the layer reads allocations changed on the platform (Float sends no webhooks); 0 turns polling off. */
    pollIntervalMs: number;
    /** How often the poll compares the whole allocation list with what it has seen, to find deletions. */
    deletionCheckMs: number;
  };
  time: PlatformConnection & {
    accessToken: string;
    accountId: string;
    webhookSecret: string;
    /** How often the layer reads time entries updated on the platform (`updated_since`; Harvest sends no webhooks); 0 turns the feed off. */
    pollIntervalMs: number;
  };
  /** NetSuite: `clientId` is the integration record's client id (the assertion's iss), `m2m` the certificate login. */
  erp: PlatformConnection & {
    accountId: string;
    clientId: string;
    m2m: ErpM2mConfig;
    webhookSecret: string;
    /** How often the layer reads billing changes (SuiteQL on lastmodifieddate) that no webhook brought; 0 turns the feed off. */
    pollIntervalMs: number;
  };
}

export function platformsConfig(env: Env, runtime: RuntimeConfig): PlatformsConfig {
  const dev = runtime.nodeEnv !== 'production';
  // Development defaults match the sandboxes' seeded credentials; production must set them.
  const secret = (name: string, devDefault: string) => read(env, name, dev ? z.string().min(1).default(devDefault) : z.string().min(1));
  const timeout = (name: string) => read(env, name, positiveInt.default(10_000));
  const crmBase = read(env, 'CRM_BASE_URL', httpUrl.optional());
  const schedulingBase = read(env, 'SCHEDULING_BASE_URL', httpUrl.optional());
  const timeBase = read(env, 'TIME_BASE_URL', httpUrl.optional());
  const erpBase = read(env, 'ERP_BASE_URL', httpUrl.optional());
  const anyBase = Boolean(crmBase || schedulingBase || timeBase || erpBase);
  const embedded = read(env, 'SANDBOXES', z.enum(['embedded', 'off']).default(anyBase || !dev ? 'off' : 'embedded')) === 'embedded';
  return {
    embeddedSandboxes: embedded,
    crm: {
      baseUrl: crmBase,
      timeoutMs: timeout('CRM_TIMEOUT_MS'),
      clientId: secret('CRM_CLIENT_ID', 'sandbox-crm-client'),
      clientSecret: secret('CRM_CLIENT_SECRET', 'sandbox-crm-secret'),
      apiVersion: read(
        env,
        'CRM_API_VERSION',
        z
          .string()
          .regex(/^v\d+\.0$/, 'must look like v62.0')
          .default('v62.0'),
      ),
      webhookSecret: secret('CRM_WEBHOOK_SECRET', 'whsec_c2FuZGJveC1jcm0td2ViaG9vay1zZWNyZXQ='),
      changeEvents: crmChangeEventsConfig(env),
      // Change events make provisioning fast; this poll makes it complete (one SOQL query per round when idle).
      pollIntervalMs: read(env, 'CRM_POLL_INTERVAL_MS', nonNegativeInt.default(60_000)),
      // As long as the CDC retention: a first start catches the wins the stream can no longer replay.
      pollLookbackHours: read(env, 'CRM_POLL_LOOKBACK_HOURS', nonNegativeInt.default(72)),
    },
    scheduling: {
      baseUrl: schedulingBase,
      timeoutMs: timeout('SCHEDULING_TIMEOUT_MS'),
      apiToken: secret('SCHEDULING_API_TOKEN', 'sandbox-scheduling-token'),
      webhookSecret: secret('SCHEDULING_WEBHOOK_SECRET', 'whsec_c2FuZGJveC1zY2hlZHVsaW5nLXdlYmhvb2s='),
      // At most a minute behind by default; each round spends one read per 200 changed allocations.
      pollIntervalMs: read(env, 'SCHEDULING_POLL_INTERVAL_MS', nonNegativeInt.default(60_000)),
      deletionCheckMs: read(env, 'SCHEDULING_DELETION_CHECK_MS', nonNegativeInt.default(600_000)),
    },
    time: {
      baseUrl: timeBase,
      timeoutMs: timeout('TIME_TIMEOUT_MS'),
      accessToken: secret('TIME_ACCESS_TOKEN', 'sandbox-time-token'),
      accountId: secret('TIME_ACCOUNT_ID', '100001'),
      webhookSecret: secret('TIME_WEBHOOK_SECRET', 'whsec_c2FuZGJveC10aW1lLXdlYmhvb2stc2VjcmV0'),
      // One request per round when idle (one per 2,000 changed entries otherwise): far inside
      // Harvest's 100 requests per 15 s at the default of a minute.
      pollIntervalMs: read(env, 'TIME_POLL_INTERVAL_MS', nonNegativeInt.max(3_600_000).default(60_000)),
    },
    erp: {
      baseUrl: erpBase,
      timeoutMs: timeout('ERP_TIMEOUT_MS'),
      accountId: secret('ERP_ACCOUNT_ID', 'TSTDRV100001'),
      clientId: secret('ERP_CLIENT_ID', 'sandbox-erp-client'),
      // Production with an ERP of its own must name its certificate and key; elsewhere the sandbox's are the default.
      m2m: erpM2mConfig(env, !dev && Boolean(erpBase)),
      webhookSecret: secret('ERP_WEBHOOK_SECRET', 'whsec_c2FuZGJveC1lcnAtd2ViaG9vay1zZWNyZXQ='),
      pollIntervalMs: read(env, 'ERP_POLL_INTERVAL_MS', nonNegativeInt.max(3_600_000).default(60_000)),
    },
  };
}
