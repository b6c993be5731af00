// `npm run check:platforms [-- --json]`: before going live, reads (never writes) each configured
// platform with the layer's own configuration and connectors. Exit 0 only if every one passed.
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from '../../core/config/index.js';
import { createLogger } from '../../core/observability/logger.js';
import { readSandboxesFile } from '../../gateway/sandboxes-file.js';
import type { Platform } from '../../system-apis/index.js';
import { CHECKS } from './probes.js';
import { toJson, toTable, type CheckResult } from './report.js';

const PLATFORMS: readonly Platform[] = ['crm', 'erp', 'scheduling', 'time'];
const USAGE = `Usage: npm run check:platforms [-- --json]

Checks every platform whose base URL is set (CRM_BASE_URL, ERP_BASE_URL, SCHEDULING_BASE_URL,
TIME_BASE_URL) with the credentials the layer reads; with none set, the sandboxes of a layer
running on this machine (VAR_DIR/sandboxes.json). Exit 0 when all passed, 1 when one failed,
2 when there is nothing to check or the configuration is invalid.`;

/** The platforms to check and their base URLs: configured ones, else those of a running layer's sandboxes. */
function targets(config: Config): { source: string; urls: Partial<Record<Platform, string>> } {
  const configured: Partial<Record<Platform, string>> = {};
  for (const p of PLATFORMS) if (config.platforms[p].baseUrl) configured[p] = config.platforms[p].baseUrl;
  if (Object.keys(configured).length > 0) return { source: 'the environment (*_BASE_URL)', urls: configured };
  const file = readSandboxesFile(config.runtime.varDir);
  const running: Partial<Record<Platform, string>> = {};
  for (const p of PLATFORMS) if (file?.[p]) running[p] = file[p];
  return { source: `the sandboxes of the layer running on this machine (${config.runtime.varDir}/sandboxes.json)`, urls: running };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const { source, urls } = targets(config);
  const chosen = PLATFORMS.filter((p) => urls[p]);
  if (chosen.length === 0) {
    console.error(
      'No platform to check: set CRM_BASE_URL, ERP_BASE_URL, SCHEDULING_BASE_URL or TIME_BASE_URL (with their credentials), start the layer with its embedded sandboxes (npm start), or run `npm run sandbox -- all` and set the variables it prints.',
    );
    return 2;
  }
  // Logs go to stderr, so that stdout stays the report (and valid JSON with --json); quiet unless LOG_LEVEL asks.
  const logLevel = process.env.LOG_LEVEL ? config.runtime.logLevel : 'warn';
  const logger = createLogger({ nodeEnv: config.runtime.nodeEnv, logLevel }, 'check-platforms', pino.destination(2));
  // The platforms are independent: check them side by side.
  const platforms = await Promise.all(chosen.map((p) => CHECKS[p](config.platforms, urls[p]!, logger.child({ platform: p }))));
  for (const p of platforms)
    for (const check of [p.login, ...p.reads])
      if (check.outcome !== 'ok' && check.outcome !== 'skipped')
        logger.warn({ platform: p.platform, check: check.name, outcome: check.outcome, baseUrl: p.baseUrl }, check.message);
  const result: CheckResult = { passed: platforms.every((p) => p.passed), source, platforms };
  process.stdout.write(values.json ? toJson(result) : toTable(result));
  return result.passed ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  },
);
