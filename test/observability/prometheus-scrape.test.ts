// A real Prometheus (Debian's) scrapes a gateway started in-process and evaluates the shipped
// rules: the layer's target comes up, every rule evaluates without error, and faults put in the
// store (a failed provisioning, an invoice left unposted) fire their alerts. The rules are
// alerts.yml as shipped, with each `for` shortened so that an alert fires within the test. The layer
// evaluates the same file itself (core/alerts), and fires the same alerts as Prometheus.
// Skipped, saying so, where the prometheus binary is missing or cannot start.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { freePort } from '../../bench/peers/free-port.js';
import { PROMETHEUS_ONLY } from '../../core/alerts/index.js';
import { PROJECT_ROOT } from '../../core/project-root.js';
import type { Store } from '../../core/store/index.js';
import { startOperationsGateway, type OpsHarness } from '../support/operations-gateway.js';
import { migratedStore, testEngines } from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';

const installed = spawnSync('prometheus', ['--version'], { encoding: 'utf8' }).status === 0;
if (!installed)
  console.warn('[test] Prometheus scrape: skipped, prometheus is not installed (.ci/run installs it; Debian: apt-get install prometheus)');

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string; for?: string }> }>;
}

interface PromResponse<T> {
  status: string;
  data: T;
}
interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}
interface RuleGroups {
  groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }>;
}

class Prometheus {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly output: () => string,
  ) {}

  /** Starts Prometheus on a free port with a scrape of `target` every second and the given rules; undefined when it cannot start. */
  static async start(dir: string, target: string, rules: RuleFile): Promise<Prometheus | string> {
    writeFileSync(join(dir, 'alerts.yml'), stringify(rules));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: ['alerts.yml'],
        scrape_configs: [{ job_name: 'ps-connectivity-layer', metrics_path: '/metrics', static_configs: [{ targets: [target] }] }],
      }),
    );
    const port = await freePort();
    let output = '';
    const child = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<string>((resolve) =>
      child.once('exit', (code) => resolve(`prometheus exited with ${code}: ${output.slice(-2000)}`)),
    );
    const url = `http://127.0.0.1:${port}`;
    const ready = (async () => {
      for (let i = 0; i < 600; i++) {
        const ok = await fetch(`${url}/-/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return undefined;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return `prometheus did not become ready: ${output.slice(-2000)}`;
    })();
    const failed = await Promise.race([ready, exited]);
    if (failed) {
      child.kill('SIGKILL');
      return failed;
    }
    return new Prometheus(url, child, () => output);
  }

  async api<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}/api/v1/${path}`);
    const body = (await res.json()) as PromResponse<T>;
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${JSON.stringify(body)}`);
    return body.data;
  }

  /** The value of an instant query's first sample, or undefined while it has none. */
  async value(query: string): Promise<number | undefined> {
    const data = await this.api<{ result: Array<{ value: [number, string] }> }>(`query?query=${encodeURIComponent(query)}`);
    return data.result[0] ? Number(data.result[0].value[1]) : undefined;
  }

  async alert(name: string): Promise<Alert | undefined> {
    const { alerts } = await this.api<{ alerts: Alert[] }>('alerts');
    return alerts.find((a) => a.labels.alertname === name);
  }

  logs(): string {
    return this.output();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** alerts.yml as shipped, each `for` cut to one second. */
function shippedRulesFastened(): RuleFile {
  const rules = parse(readFileSync(join(PROJECT_ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as RuleFile;
  for (const group of rules.groups) for (const rule of group.rules) if (rule.for) rule.for = '1s';
  return rules;
}

describe.skipIf(!installed).each(testEngines())('Prometheus scraping the layer on $name', (engine) => {
  let store: Store;
  let ops: OpsHarness;
  let prometheus: Prometheus | undefined;
  let unavailable: string | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'ps-prometheus-'));

  beforeAll(async () => {
    store = await migratedStore(engine);
    // Metrics on a port of their own (no token), and the scheduled figures read every 200 ms. The
    // layer evaluates the same rule file as Prometheus (its alerts wait in the outbox: no dispatcher runs).
    const rules = shippedRulesFastened();
    writeFileSync(join(dir, 'layer-alerts.yml'), stringify(rules));
    ops = await startOperationsGateway(store, {
      METRICS_PORT: '0',
      METRICS_SAMPLE_EVERY_MS: '200',
      ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/alerts',
      ALERT_WEBHOOK_SECRET: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=',
      ALERT_RULES_FILE: join(dir, 'layer-alerts.yml'),
      ALERTS_EVALUATE_EVERY_MS: '200',
    });
    const target = new URL(ops.gateway.metricsUrl!).host;
    const started = await Prometheus.start(dir, target, rules);
    if (typeof started === 'string') {
      unavailable = started;
      console.warn(`[test] Prometheus scrape: skipped, ${started}`);
    } else prometheus = started;
  });

  afterAll(async () => {
    await prometheus?.stop();
    await ops?.close();
    await store?.close();
    await engine.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes the layer and evaluates every shipped rule without error', async (ctx) => {
    if (!prometheus) return ctx.skip(unavailable);
    const p = prometheus;
    await waitFor(() => p.value('up{job="ps-connectivity-layer"}'), { until: (v) => v === 1, what: 'the layer target up' });
    const rules = await waitFor(() => p.api<RuleGroups>('rules'), {
      until: (data) => data.groups.flatMap((g) => g.rules).every((r) => r.health === 'ok'),
      what: `every rule evaluated once without error (logs: ${p.logs().slice(-500)})`,
    });
    const names = rules.groups.flatMap((g) => g.rules.map((r) => r.name));
    expect(names).toContain('ProvisioningFailed');
    expect(names).toContain('layer:platform_data_freshness_seconds');
    expect(await p.value('layer_provisioning_failed_runs'), 'no failed provisioning yet').toBe(0);
    expect(await p.alert('ProvisioningFailed'), 'so no alert').toBeUndefined();
    expect(await p.value('layer_invoice_posting_backlog_invoices'), 'the scheduled backlog gauge is scraped').toBe(0);
  });

  it('fires ProvisioningFailed once a provisioning run fails', async (ctx) => {
    if (!prometheus) return ctx.skip(unavailable);
    const p = prometheus;
    await ops.failedRun('0190a3c2-7d4e-7b61-9a2f-000000000101');
    const failed = await waitFor(() => p.value('layer_provisioning_failed_runs'), {
      until: (v) => v === 1,
      what: 'the failed run scraped',
    });
    expect(failed).toBe(1);
    const alert = await waitFor(() => p.alert('ProvisioningFailed'), {
      until: (a) => a?.state === 'firing',
      what: 'ProvisioningFailed firing',
    });
    expect(alert!.labels).toMatchObject({ alertname: 'ProvisioningFailed', severity: 'critical' });
    expect(await p.alert('LayerDown'), 'the layer itself is up').toBeUndefined();
  });

  it('fires InvoicePostingBacklogStuck for an invoice drafted two hours ago and never posted', async (ctx) => {
    if (!prometheus) return ctx.skip(unavailable);
    const p = prometheus;
    const twoHoursAgo = Date.now() - 2 * 3_600_000;
    await store.db
      .insertInto('ttb_invoices')
      .values({
        id: '0190a3c2-7d4e-7b61-9a2f-000000000201',
        engagement_id: '0190a3c2-7d4e-7b61-9a2f-000000000202',
        period_key: '2026-11',
        sequence: 1,
        run_id: 'run-unposted',
        state: 'allocated',
        erp_invoice_id: null,
        currency: 'EUR',
        subtotal_minor: 100_000,
        tax_minor: 19_000,
        total_minor: 119_000,
        draft: '{}',
        created_at_ms: twoHoursAgo,
        updated_at_ms: twoHoursAgo,
      })
      .execute();
    await waitFor(() => p.value('layer_invoice_posting_backlog_minor{currency="EUR"}'), {
      until: (v) => v === 119_000,
      what: 'the unposted invoice in the backlog money',
    });
    expect(await p.value('layer_invoice_posting_backlog_invoices')).toBe(1);
    const alert = await waitFor(() => p.alert('InvoicePostingBacklogStuck'), {
      until: (a) => a?.state === 'firing',
      what: 'InvoicePostingBacklogStuck firing',
    });
    expect(alert!.labels.severity).toBe('warning');
  });
  it('fires the same alerts in the layer as in Prometheus for the same metrics', async (ctx) => {
    if (!prometheus) return ctx.skip(unavailable);
    const p = prometheus;
    // After the faults above: Prometheus' firing alerts (but LayerDown, which only it can raise) and the layer's.
    const prometheusFiring = async () =>
      [...new Set((await p.api<{ alerts: Alert[] }>('alerts')).alerts.filter((a) => a.state === 'firing').map((a) => a.labels.alertname!))]
        .filter((name) => !(name in PROMETHEUS_ONLY))
        .sort();
    const layerFiring = async () =>
      [
        ...new Set(
          (await store.db.selectFrom('alert_states').select('alertname').where('state', '=', 'firing').execute()).map((r) => r.alertname),
        ),
      ].sort();
    const both = await waitFor(async () => ({ prometheus: await prometheusFiring(), layer: await layerFiring() }), {
      until: (b) => b.prometheus.length > 0 && JSON.stringify(b.prometheus) === JSON.stringify(b.layer),
      what: 'the same firing alerts in Prometheus and in the layer',
    });
    expect(both.layer, 'the faults of the tests above fire in both').toEqual(
      expect.arrayContaining(['InvoicePostingBacklogStuck', 'ProvisioningFailed']),
    );
  });
});
