// What `npm run check:platforms` asks each platform, through the layer's own connectors: log in,
// read one item of every resource the journeys read (never a write), and what is left of the
// rate budget as the vendor reports it.
import type { PlatformsConfig } from '../../core/config/platforms.js';
import type { Logger } from '../../core/observability/logger.js';
import { CrmConnector } from '../../system-apis/crm/index.js';
import { ACCOUNT_FIELDS, CONTACT_FIELDS, OPPORTUNITY_FIELDS, PARENT_ACCOUNT_FIELDS } from '../../system-apis/crm/soql.js';
import { ErpConnector } from '../../system-apis/erp/index.js';
import type { Platform } from '../../system-apis/index.js';
import { SchedulingConnector } from '../../system-apis/scheduling/index.js';
import { TimeConnector } from '../../system-apis/time/index.js';
import { classify, type Outcome } from './classify.js';

export interface Check {
  name: string;
  outcome: Outcome;
  message: string;
}

export interface Budget {
  /** Where the figures come from: a header, or the vendor's documentation when the API reports none. */
  source: string;
  limit?: number;
  remaining?: number;
  summary: string;
}

export interface PlatformReport {
  platform: Platform;
  vendor: string;
  baseUrl: string;
  login: Check;
  reads: Check[];
  budget: Budget;
  passed: boolean;
}

interface Read {
  name: string;
  run(): Promise<string>;
}

/** One call, its failure sorted by classify(). */
async function attempt(name: string, run: () => Promise<string>): Promise<Check> {
  try {
    return { name, outcome: 'ok', message: await run() };
  } catch (err) {
    return { name, ...classify(err) };
  }
}

/**
 * Runs the reads in order. `login` is the platform's own sign-in; platforms with a static token
 * have none, so their first read stands for it. After a failed login nothing else is tried.
 */
async function runChecks(login: (() => Promise<string>) | undefined, reads: Read[]): Promise<{ login: Check; reads: Check[] }> {
  const results: Check[] = [];
  let loginCheck: Check;
  if (login) {
    loginCheck = await attempt('login', login);
  } else {
    const first = await attempt(reads[0]!.name, reads[0]!.run);
    results.push(first);
    loginCheck = first.outcome === 'ok' ? { name: 'login', outcome: 'ok', message: 'token accepted' } : { ...first, name: 'login' };
  }
  for (const read of reads.slice(results.length)) {
    results.push(
      loginCheck.outcome === 'ok' ? await attempt(read.name, read.run) : { name: read.name, outcome: 'skipped', message: 'login failed' },
    );
  }
  return { login: loginCheck, reads: results };
}

function report(platform: Platform, vendor: string, baseUrl: string, checks: { login: Check; reads: Check[] }, budget: Budget) {
  const passed = checks.login.outcome === 'ok' && checks.reads.every((r) => r.outcome === 'ok');
  return { platform, vendor, baseUrl, ...checks, budget, passed } satisfies PlatformReport;
}

const count = (n: number, what: string) => `readable (${n} ${what}${n === 1 ? '' : 's'} in the first page)`;

/** X-RateLimit-Limit / -Remaining as Float sends them (and Harvest, should it ever). */
function rateLimitHeaders(headers: Record<string, string> | undefined): { limit: number; remaining: number } | undefined {
  const limit = Number(headers?.['x-ratelimit-limit']);
  const remaining = Number(headers?.['x-ratelimit-remaining']);
  return headers?.['x-ratelimit-remaining'] !== undefined && Number.isFinite(limit) && Number.isFinite(remaining)
    ? { limit, remaining }
    : undefined;
}

export async function checkCrm(conf: PlatformsConfig['crm'], baseUrl: string, logger?: Logger): Promise<PlatformReport> {
  const crm = new CrmConnector({ ...conf, baseUrl, maxAttempts: 1, logger });
  const soql = (object: string, fields: readonly string[]) => async () =>
    count((await crm.query(`SELECT ${fields.join(', ')} FROM ${object} LIMIT 1`)).records.length, 'record');
  try {
    const checks = await runChecks(async () => {
      await crm.signIn();
      return 'access token issued (client credentials)';
    }, [
      { name: 'Account (SOQL)', run: soql('Account', ACCOUNT_FIELDS) },
      { name: 'Contact (SOQL, Account.External_Id__c)', run: soql('Contact', [...CONTACT_FIELDS, ...PARENT_ACCOUNT_FIELDS]) },
      { name: 'Opportunity (SOQL, Account.External_Id__c)', run: soql('Opportunity', [...OPPORTUNITY_FIELDS, ...PARENT_ACCOUNT_FIELDS]) },
    ]);
    const usage = crm.usage();
    const budget: Budget = usage
      ? {
          source: 'Sforce-Limit-Info',
          limit: usage.max,
          remaining: usage.max - usage.used,
          summary: `daily API requests: ${usage.used} of ${usage.max} used, ${usage.max - usage.used} left`,
        }
      : { source: 'Sforce-Limit-Info', summary: 'not reported (no API answer carried Sforce-Limit-Info)' };
    return report('crm', 'Salesforce', baseUrl, checks, budget);
  } finally {
    await crm.close();
  }
}

/** NetSuite record types the ERP system API reads by id, and the SuiteQL tables it lists from. */
const ERP_RECORD_TYPES = ['customer', 'job', 'projectTask', 'invoice', 'customerPayment', 'subsidiary', 'customrecord_rate_card'] as const;
const ERP_SUITEQL_TABLES = ['customer', 'job', 'projecttask', 'transaction', 'subsidiary', 'currency', 'customrecord_rate_card'] as const;

export async function checkErp(conf: PlatformsConfig['erp'], baseUrl: string, logger?: Logger): Promise<PlatformReport> {
  const erp = new ErpConnector({
    baseUrl,
    clientId: conf.clientId,
    m2m: conf.m2m,
    timeoutMs: conf.timeoutMs,
    logger,
    client: { maxAttempts: 1 },
  });
  try {
    const checks = await runChecks(async () => {
      await erp.signIn();
      return `access token issued (M2M, certificate ${conf.m2m.certificateId}, ${conf.m2m.algorithm})`;
    }, [
      ...ERP_RECORD_TYPES.map((type) => ({
        name: `${type} (record)`,
        run: async () => count((await erp.listRecords(type, { limit: 1, offset: 0 })).items.length, 'record'),
      })),
      ...ERP_SUITEQL_TABLES.map((table) => ({
        name: `${table} (SuiteQL)`,
        run: async () => count((await erp.query(`SELECT id FROM ${table}`, { limit: 1, offset: 0 })).items.length, 'row'),
      })),
    ]);
    // NetSuite governs concurrent requests per account, not a count of requests, and reports no figure in its answers.
    const budget: Budget = {
      source: 'NetSuite documentation',
      summary:
        'concurrency-governed per account (no request count, none reported in answers); see Setup > Integration > Integration Management > Integration Governance',
    };
    return report('erp', 'NetSuite', baseUrl, checks, budget);
  } finally {
    await erp.close();
  }
}

export async function checkScheduling(conf: PlatformsConfig['scheduling'], baseUrl: string, logger?: Logger): Promise<PlatformReport> {
  const float = new SchedulingConnector({ baseUrl, apiToken: conf.apiToken, timeoutMs: conf.timeoutMs, maxAttempts: 1, logger });
  let last: Record<string, string> | undefined;
  const list = (path: `/v3/${string}`) => async () => {
    const res = await float.probe(path, { 'per-page': 1 });
    last = res.headers;
    return `readable (${res.headers['x-pagination-total-count'] ?? '?'} in all)`;
  };
  try {
    const checks = await runChecks(undefined, [
      { name: 'people', run: list('/v3/people') },
      { name: 'projects', run: list('/v3/projects') },
      { name: 'tasks (allocations)', run: list('/v3/tasks') },
    ]);
    const rate = rateLimitHeaders(last);
    const budget: Budget = rate
      ? { source: 'X-RateLimit-*', ...rate, summary: `${rate.remaining} of ${rate.limit} GET requests left in this minute` }
      : { source: 'X-RateLimit-*', summary: 'not reported (no answer carried X-RateLimit-Remaining)' };
    return report('scheduling', 'Float', baseUrl, checks, budget);
  } finally {
    await float.close();
  }
}

export async function checkTime(conf: PlatformsConfig['time'], baseUrl: string, logger?: Logger): Promise<PlatformReport> {
  const harvest = new TimeConnector({
    baseUrl,
    accessToken: conf.accessToken,
    accountId: conf.accountId,
    timeoutMs: conf.timeoutMs,
    maxAttempts: 1,
    logger,
  });
  let last: Record<string, string> | undefined;
  const list = (path: `/v2/${string}`) => async () => {
    last = (await harvest.probe(path, { per_page: 1 })).headers;
    return 'readable';
  };
  try {
    const checks = await runChecks(undefined, [
      { name: 'time_entries', run: list('/v2/time_entries') },
      { name: 'expenses', run: list('/v2/expenses') },
      { name: 'projects', run: list('/v2/projects') },
      { name: 'clients', run: list('/v2/clients') },
    ]);
    const rate = rateLimitHeaders(last);
    // Harvest documents its limit but sends no remaining count; the figure is the documented one.
    const budget: Budget = rate
      ? { source: 'X-RateLimit-*', ...rate, summary: `${rate.remaining} of ${rate.limit} requests left in this window` }
      : { source: 'Harvest documentation', limit: 100, summary: 'not reported by the API; Harvest documents 100 requests per 15 seconds' };
    return report('time', 'Harvest', baseUrl, checks, budget);
  } finally {
    await harvest.close();
  }
}

export const CHECKS: Record<Platform, (conf: PlatformsConfig, baseUrl: string, logger?: Logger) => Promise<PlatformReport>> = {
  crm: (conf, url, logger) => checkCrm(conf.crm, url, logger),
  erp: (conf, url, logger) => checkErp(conf.erp, url, logger),
  scheduling: (conf, url, logger) => checkScheduling(conf.scheduling, url, logger),
  time: (conf, url, logger) => checkTime(conf.time, url, logger),
};
