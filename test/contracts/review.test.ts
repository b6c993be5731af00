// The board's review report for a known change in a scratch copy of the contracts, with the
// consumer impact read from usage recorded in a real store.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import type { Store } from '../../core/store/index.js';
import { createUsageRecorder } from '../../core/usage/index.js';
import { buildReview, writeReview } from '../../scripts/contracts/review.js';
import type { ReviewReport } from '../../scripts/contracts/review-report.js';
import { migratedStore, testEngines } from '../support/stores.js';

const CONTRACT = 'openapi/process/billing-status-to-crm.v1.yaml';
const KEY = 'process/billing-status-to-crm/v1';

let dir: string;
let store: Store;
let report: ReviewReport;
let markdown: string;
let html: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'contracts-review-test-'));
  await cp(path.join(PROJECT_ROOT, 'openapi'), path.join(dir, 'openapi'), { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a free-form YAML tree
  const doc = parse(await readFile(path.join(dir, CONTRACT), 'utf8')) as Record<string, any>;
  delete doc.paths['/accounts/{clientId}/billing-status']; // breaking: an operation removed
  doc.paths['/runs'].get.deprecated = true; // deprecated
  doc.paths['/runs/{runId}'].get.description = 'Reads one run with its steps and their attempts.'; // documentation
  await writeFile(path.join(dir, CONTRACT), stringify(doc, { lineWidth: 0 }));

  store = await migratedStore(testEngines()[0]);
  const usage = createUsageRecorder(store, { flushIntervalMs: 60_000, retentionDays: 400 });
  const call = { contract: KEY, version: '1.1.0', deprecated: false, status: 200 };
  for (let i = 0; i < 3; i++) usage.record({ ...call, consumer: 'crm-app', operation: 'getAccountBillingStatus' });
  usage.record({ ...call, consumer: 'finance-portal', operation: 'getAccountBillingStatus' });
  usage.record({ ...call, consumer: 'ops-console', operation: 'listRuns' });
  // Older than the 30 days the report looks at: not counted.
  usage.record({ ...call, consumer: 'old-partner', operation: 'getAccountBillingStatus', at: Date.now() - 45 * 86_400_000 });
  await usage.stop();

  report = await buildReview(dir, { store });
  const [md, htmlFile] = await writeReview(report, path.join(dir, 'reports'));
  markdown = await readFile(md, 'utf8');
  html = await readFile(htmlFile, 'utf8');
}, 120_000);

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('contracts:review', () => {
  it('reviews only the changed contract, with the bump its breaking change needs', () => {
    expect(report.contracts.map((c) => c.file)).toEqual([CONTRACT]);
    const [review] = report.contracts;
    expect(review.bump).toMatch(/^major: /);
    expect(review.problems.join()).toMatch(/breaking change/);
    expect(markdown).toContain(`## ${KEY} (${CONTRACT})`);
    expect(markdown).toMatch(/\*\*Blocks the release:\*\*/);
  });

  it('says per operation in plain words what is breaking, deprecated and documentation only', () => {
    const section = (label: string) => markdown.slice(markdown.indexOf(`### ${label}`)).split('\n### ')[0];
    expect(section('GET /accounts/{clientId}/billing-status (getAccountBillingStatus)')).toMatch(
      /\*\*Breaking:\*\*\n {2}- removed operation/i,
    );
    expect(section('GET /runs (listRuns)')).toMatch(/\*\*Deprecated:\*\*\n {2}- added deprecated status/i);
    expect(section('GET /runs/{runId} (getRun)')).toMatch(/\*\*Documentation:\*\*/);
  });

  it('names the consumers of each affected operation in the last 30 days with their calls', () => {
    const removed = report.contracts[0].operations.find((o) => o.operationId === 'getAccountBillingStatus')!;
    expect(removed.consumers.map((c) => [c.consumer, c.calls])).toEqual([
      ['crm-app', 3],
      ['finance-portal', 1],
    ]);
    expect(markdown).toMatch(/Consumers in the last 30 days: crm-app \(3 calls, last [0-9T:.-]+Z\), finance-portal \(1 calls/);
    expect(markdown).not.toContain('old-partner');
    expect(report.contracts[0].operations.find((o) => o.operationId === 'listRuns')!.consumers).toEqual([
      expect.objectContaining({ consumer: 'ops-console', calls: 1 }),
    ]);
    expect(markdown).toMatch(/### GET \/runs\/\{runId\} \(getRun\)[\s\S]*?none recorded/);
  });

  it('writes the same review as HTML, escaped', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<td><code>crm-app</code></td><td>3</td>');
    expect(html).toContain('GET /accounts/{clientId}/billing-status (getAccountBillingStatus)');
    expect(html).toContain('Spectral findings');
  });
});
