// `npm run reconcile -- [--journey <name>] [--repair]`: one pass, composed like a replica on the
// configured store and platforms (else the running layer's sandboxes, <VAR_DIR>/sandboxes.json),
// under the pass lease, with a progress bar while it compares and a summary at the end.
import { userInfo } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from '../../core/config/index.js';
import { createLogger } from '../../core/observability/logger.js';
import { ProblemError } from '../../core/problems.js';
import { compose } from '../../gateway/compose.js';
import { readSandboxesFile, sandboxesFilePath } from '../../gateway/sandboxes-file.js';
import type { ReconciliationCheck } from '../../process-apis/kit/reconciliation.js';
import type { Journey } from '../../process-apis/kit/run-view.js';
import type { PassProgress } from '../../process-apis/reconciliation/index.js';
import { SANDBOX_PLATFORMS } from '../../sandboxes/index.js';
import { passReport } from './report.js';

const JOURNEYS: readonly Journey[] = [
  'opportunity-to-project',
  'assignment-to-forecast',
  'time-to-billing',
  'billing-status-to-crm',
  'reconciliation',
];
const USAGE = `Usage: npm run reconcile -- [--journey <name>] [--repair]

Runs one reconciliation pass over every journey's checks (or one journey's: ${JOURNEYS.join(', ')}),
on the configured store (DATABASE_URL, else VAR_DIR/layer.db) and platforms (*_BASE_URL, else the
sandboxes of the layer running on this VAR_DIR). --repair starts the safe repairs it finds.
Exit 0 when the pass completed, 1 when it failed or another pass is running, 2 on bad usage.`;

export interface ReconcileOptions {
  /** Checks beside the journeys' own (tests). */
  extraChecks?: readonly ReconciliationCheck[];
}

/** The configuration to compose with: the platforms as configured, else a running layer's sandboxes. */
function platformEnv(env: NodeJS.ProcessEnv, print: (line: string) => void): NodeJS.ProcessEnv | undefined {
  const configured = SANDBOX_PLATFORMS.some((p) => env[`${p.toUpperCase()}_BASE_URL`]);
  if (configured) return env;
  const varDir = loadConfig(env).runtime.varDir;
  const file = readSandboxesFile(varDir);
  const missing = SANDBOX_PLATFORMS.filter((p) => !file?.[p]);
  if (missing.length > 0) {
    print(
      file
        ? `${sandboxesFilePath(varDir)} names no sandbox for ${missing.join(', ')}; restart the layer or set the *_BASE_URL variables.`
        : `No layer runs on ${varDir} (no ${sandboxesFilePath(varDir)}) and no platform is configured: start the layer (npm start) or set CRM_BASE_URL, SCHEDULING_BASE_URL, TIME_BASE_URL and ERP_BASE_URL.`,
    );
    return undefined;
  }
  return { ...env, SANDBOXES: 'off', ...Object.fromEntries(SANDBOX_PLATFORMS.map((p) => [`${p.toUpperCase()}_BASE_URL`, file![p]])) };
}

/** A bar on stderr: records compared against the checks' estimate, else checks done. */
function progressBar(stream: NodeJS.WriteStream) {
  const bar = new SingleBar(
    { stream, format: '  comparing {bar} {value}/{total} {unit} | {check}', hideCursor: true, clearOnComplete: true, barsize: 30 },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(p: PassProgress) {
      const byRecords = p.estimate !== undefined && p.estimate > 0;
      const total = byRecords ? Math.max(p.estimate!, p.compared) : p.checksTotal;
      const value = byRecords ? p.compared : p.checksDone;
      const payload = { check: p.check ?? 'done', unit: byRecords ? 'records' : 'checks' };
      if (!started) {
        bar.start(total, value, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(value, payload);
      }
    },
    stop: () => started && bar.stop(),
  };
}

export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  print: (line: string) => void = (l) => console.log(l),
  options: ReconcileOptions = {},
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { journey: { type: 'string' }, repair: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    print(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    print(USAGE);
    return 0;
  }
  const journey = values.journey as Journey | undefined;
  if (journey !== undefined && !JOURNEYS.includes(journey)) {
    print(`Unknown journey ${JSON.stringify(journey)}.\n${USAGE}`);
    return 2;
  }
  let config: Config;
  try {
    const composedEnv = platformEnv(env, print);
    if (!composedEnv) return 1;
    config = loadConfig(composedEnv);
  } catch (err) {
    if (err instanceof ConfigError) {
      print(err.message);
      return 2;
    }
    throw err;
  }
  // Logs go to stderr, quiet unless LOG_LEVEL asks: stdout is the report.
  const logLevel = env.LOG_LEVEL ? config.runtime.logLevel : 'warn';
  const logger = createLogger({ nodeEnv: config.runtime.nodeEnv, logLevel }, 'reconcile', pino.destination(2));
  const composition = await compose(
    config,
    { infra: { logger } },
    { startJourneys: false, extraReconciliationChecks: options.extraChecks },
  );
  const reconciliation = composition.layers.processApis.reconciliation;
  const bar = progressBar(process.stderr);
  try {
    const pass = await reconciliation.runPass({
      journey,
      repair: values.repair ?? false,
      trigger: 'command',
      actor: { consumer: 'reconcile-command', subject: userInfo().username },
      onProgress: (p) => bar.update(p),
    });
    bar.stop();
    for (const line of passReport(pass, await reconciliation.openByType())) print(line);
    return pass.status === 'completed' ? 0 : 1;
  } catch (err) {
    bar.stop();
    if (err instanceof ProblemError && err.type === 'conflict') {
      print(`Another reconciliation pass is running (on this layer or a replica): ${err.detail} Try again when it has finished.`);
      return 1;
    }
    throw err;
  } finally {
    await composition.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    return 1;
  });
  // Exit once stdout has drained: on a pipe, process.exit could cut the report short.
  process.stdout.write('', () => process.exit(code));
}
