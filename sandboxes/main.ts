// `npm run sandbox -- <platform|all> [--port N] [--seed small|large] [--host H] [--webhook URL]`:
// runs one sandbox (or all four) alone and prints where it listens and how to inject faults.
import { parseArgs } from 'node:util';
import { createLogger } from '../core/observability/logger.js';
import { runtimeConfig } from '../core/config/runtime.js';
import { platformsConfig } from '../core/config/platforms.js';
import { SANDBOX_PLATFORMS, startSandboxes } from './index.js';
import type { SandboxPlatform, SeedSize } from './kit/index.js';

const USAGE = 'Usage: npm run sandbox -- <crm|scheduling|time|erp|all> [--port N] [--seed small|large] [--host 127.0.0.1] [--webhook URL]';

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function faultHelp(url: string): string {
  return [
    `  Fault API (never faulted itself):`,
    `    curl ${url}/_sandbox/faults`,
    `    curl -X PUT ${url}/_sandbox/faults -H 'content-type: application/json' \\`,
    `      -d '{"errorRate":0.2,"errorStatus":503,"latencyMs":200,"latencyJitterMs":100}'`,
    `    other settings: outageUntil (RFC 3339), rateLimitBurst {remaining,retryAfterSeconds}, malformedRate,`,
    `      oversizedRate, redirectRate, hangRate, slowBodyRate, webhookDuplicateRate, webhookReorder, webhookReorderWindowMs, paths`,
    `    curl -X DELETE ${url}/_sandbox/faults                      # clear all faults`,
    `    curl -X POST ${url}/_sandbox/reset -d '{"seed":"small"}' -H 'content-type: application/json'`,
    `    curl -X POST ${url}/_sandbox/webhooks -d '{"url":"http://127.0.0.1:8080/hooks"}' -H 'content-type: application/json'`,
  ].join('\n');
}

/** The ERP sandbox's own admin routes: NetSuite's M2M certificate setup and a person's session. */
function erpHelp(url: string): string {
  return [
    `  NetSuite M2M login: integration sandbox-erp-client, certificate sandbox-erp-m2m-cert (the layer's development key).`,
    `    curl ${url}/_sandbox/m2m/certificates                     # mapped certificates`,
    `    curl -X POST ${url}/_sandbox/m2m/certificates -H 'content-type: application/json' \\`,
    `      -d '{"clientId":"my-integration","publicKey":"-----BEGIN PUBLIC KEY-----\\n…"}'`,
    `    curl -X POST ${url}/_sandbox/ui-session                   # a person's token for REST web services`,
    '',
  ].join('\n');
}

/** The CRM sandbox's change events: the Streaming API, and its own retention and relay controls. */
function crmHelp(url: string): string {
  return [
    `  Change Data Capture: CometD long polling at ${url}/cometd/62.0 (channels /data/ChangeEvents, /data/<Object>ChangeEvent).`,
    `    curl ${url}/_sandbox/change-events                      # retained events, replay ids, retention, relay`,
    `    curl -X PUT ${url}/_sandbox/change-events -H 'content-type: application/json' \\`,
    `      -d '{"relay":true}'                                      # also post change events to the webhook subscribers`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      seed: { type: 'string', default: 'small' },
      host: { type: 'string', default: '127.0.0.1' },
      webhook: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const which = positionals[0];
  if (!which) fail('Name the platform to run.');
  if (positionals.length > 1) fail(`Unexpected argument ${JSON.stringify(positionals[1])}.`);
  if (which !== 'all' && !SANDBOX_PLATFORMS.includes(which as SandboxPlatform)) fail(`Unknown platform ${JSON.stringify(which)}.`);
  const platforms = which === 'all' ? SANDBOX_PLATFORMS : [which as SandboxPlatform];
  if (values.seed !== 'small' && values.seed !== 'large') fail(`--seed must be small or large, not ${JSON.stringify(values.seed)}.`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    fail(`--port must be a port number, not ${JSON.stringify(values.port)}.`);
  if (port !== undefined && platforms.length > 1) fail('--port applies to a single platform; "all" uses free ports.');

  const runtime = runtimeConfig(process.env);
  const platformsConf = platformsConfig(process.env, runtime);
  const logger = createLogger(runtime, 'sandbox');
  const seed = values.seed as SeedSize;
  const running = await startSandboxes({
    seed,
    logger,
    platforms,
    host: values.host,
    ports: port === undefined ? {} : { [platforms[0]]: port },
    // Sign with the secrets the layer verifies by default, so that the two work together unconfigured.
    webhookSecrets: Object.fromEntries(SANDBOX_PLATFORMS.map((p) => [p, platformsConf[p].webhookSecret])),
    webhookTargets: Object.fromEntries(platforms.map((p) => [p, (values.webhook ?? []).map((url) => ({ url }))])),
  });
  for (const platform of running.missing)
    console.error(`The ${platform} sandbox is not available (sandboxes/${platform}/index.ts is missing).`);
  for (const [platform, url] of Object.entries(running.urls)) {
    console.log(
      `${platform} sandbox (seed ${seed}) listening on ${url}\n${faultHelp(url)}\n${platform === 'erp' ? erpHelp(url) : platform === 'crm' ? crmHelp(url) : ''}`,
    );
  }
  // The layer (and `npm run check:platforms`) find a sandbox through its platform's base URL variable.
  const variables = Object.entries(running.urls).map(([platform, url]) => `${platform.toUpperCase()}_BASE_URL=${url}`);
  if (variables.length > 0) console.log(`Point the layer at them: ${variables.join(' ')} npm run check:platforms (or npm start)`);
  if (Object.keys(running.urls).length === 0) {
    await running.close();
    process.exit(1);
  }
  const stop = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
