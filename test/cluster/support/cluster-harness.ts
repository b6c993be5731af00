// The cluster test's harness: `npm run cluster`'s own startCluster() on a fresh PostgreSQL schema
// and Redis, leases short enough for a prompt takeover, plus what the test needs around it: tokens,
// a listener that keeps a copy of every CRM webhook, sandbox faults and which replica holds a run.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../../core/config/index.js';
import { signDevToken } from '../../../gateway/auth/dev-keys.js';
import { relayCrmChangeEvents } from '../../../gateway/platforms.js';
import { createStore, type Store } from '../../../core/store/index.js';
import type { SandboxUrls } from '../../../scripts/demo/people.js';
import { startCluster, type Replica, type RunningCluster } from '../../../scripts/cluster/cluster.js';
import { erpInvoiceIds } from './platforms.js';
import type { TestEngine } from '../../support/stores.js';

export interface CapturedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ClusterHarness {
  cluster: RunningCluster;
  urls: SandboxUrls;
  store: Store;
  /** Every invoice ERP held before any replica started. */
  invoicesBefore: ReadonlySet<string>;
  /** CRM change events as the CRM sandbox's relay posted them (the same messages it sent to HAProxy). */
  crmWebhooks: CapturedWebhook[];
  /** Authorization header for a machine token of `consumer` with these scopes. */
  auth(scope: string, consumer?: string): Promise<Record<string, string>>;
  faults(platform: keyof SandboxUrls, faults: Record<string, unknown> | null): Promise<void>;
  /** The live replica whose process id claimed_by names, if any. */
  holderOf(claimedBy: string | null): Replica | undefined;
  close(): Promise<void>;
}

/**
 * Replica settings: a lease of 1.5 s so a killed replica's runs move promptly. The billing
 * schedule is off until the test restarts the replicas with it on (once there is work to bill).
 */
export const CLUSTER_TEST_ENV = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  WORKFLOW_LEASE_MS: '1500',
  WORKFLOW_HEARTBEAT_MS: '300',
  WORKFLOW_POLL_MS: '50',
  BILLING_SCHEDULE_EVERY_MS: '0',
  RECONCILE_EVERY_MS: '0',
  SHUTDOWN_DRAIN_MS: '3000',
  RATE_LIMIT_TIERS: 'consumer:rate-probe=6/60',
};

export async function startClusterHarness(engine: TestEngine, redisUrl: string, replicas: number): Promise<ClusterHarness> {
  const varDir = mkdtempSync(join(tmpdir(), 'ps-layer-cluster-'));
  const databaseUrl = await engine.freshUrl();
  const crmWebhooks: CapturedWebhook[] = [];
  const capture: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      crmWebhooks.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
  let invoicesBefore = new Set<string>();
  const cluster = await startCluster({
    replicas,
    databaseUrl,
    redisUrl,
    varDir,
    replicaOutput: process.env.CLUSTER_TEST_LOGS ? 'inherit' : 'ignore',
    // A prefix of its own, so counts from other runs on the same Redis never leak in.
    env: { ...CLUSTER_TEST_ENV, RATE_LIMIT_REDIS_PREFIX: `cluster-test-${randomBytes(4).toString('hex')}:` },
    async beforeReplicas(sandboxes) {
      invoicesBefore = new Set(await erpInvoiceIds(sandboxes.urls as unknown as SandboxUrls));
      // The replicas stream the CRM's change events (the default); the relay sends the same events
      // as signed webhooks too, to HAProxy and to the listener here that keeps a copy.
      await relayCrmChangeEvents(sandboxes.urls.crm!);
      sandboxes.subscribe('crm', {
        url: `http://127.0.0.1:${(capture.address() as AddressInfo).port}/`,
        // The secret the replicas verify, so that a copy re-delivered to a replica is as good as the original.
        secret: loadConfig({ ...process.env, ...CLUSTER_TEST_ENV }).platforms.crm.webhookSecret,
      });
    },
  }).catch(async (err: unknown) => {
    capture.close();
    rmSync(varDir, { recursive: true, force: true });
    throw err;
  });
  const urls = cluster.sandboxes.urls as unknown as SandboxUrls;
  const store = createStore({ databaseUrl, poolMax: 2 });
  return {
    cluster,
    urls,
    store,
    invoicesBefore,
    crmWebhooks,
    async auth(scope, consumer = 'cluster-test') {
      const token = await signDevToken(cluster.config, { scope, sub: consumer, claims: { client_id: consumer } });
      return { authorization: `Bearer ${token}` };
    },
    async faults(platform, faults) {
      const res = await fetch(`${urls[platform]}/_sandbox/faults`, {
        method: faults ? 'PUT' : 'DELETE',
        headers: { 'content-type': 'application/json' },
        body: faults ? JSON.stringify(faults) : undefined,
      });
      if (!res.ok) throw new Error(`faults on ${platform}: ${res.status} ${await res.text()}`);
    },
    holderOf(claimedBy) {
      const pid = Number(claimedBy?.split(':')[1]);
      return cluster.replicas.find((r) => r.pid === pid && r.process.exitCode === null && r.process.signalCode === null);
    },
    async close() {
      await cluster.stop();
      await store.close();
      capture.close();
      await engine.cleanup();
      rmSync(varDir, { recursive: true, force: true });
    },
  };
}
