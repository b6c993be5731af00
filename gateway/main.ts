// `npm start`: load and check the configuration, start the gateway, say where things are,
// and shut down gracefully on SIGINT/SIGTERM.
import { ConfigError, loadConfig, type Config } from '../core/config/index.js';
import { allScopes, exampleCall } from './example.js';
import { start, type RunningGateway } from './server.js';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}

let gateway: RunningGateway;
try {
  gateway = await start(config);
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    fail(`Cannot start: port ${config.runtime.port} on ${config.runtime.host} is already in use (set PORT to another port).`);
  fail(`Cannot start: ${err instanceof Error ? err.message : String(err)}`);
}

const base = (config.runtime.publicUrl ?? gateway.url).replace(/\/$/, '');
const example = exampleCall(gateway.catalogue);
const scopes = allScopes(gateway.catalogue);
const lines = [
  '',
  `  Connectivity layer listening on ${gateway.url} (${config.runtime.nodeEnv}, store: ${gateway.layers.infra.store.engine})`,
  '',
  `  Docs:     ${base}/docs`,
  `  Specs:    ${base}/specs  (${gateway.catalogue.length} contracts)`,
  `  Health:   ${base}/healthz   ${base}/readyz`,
  gateway.metricsUrl ? `  Metrics:  ${gateway.metricsUrl} (no token on this port)` : `  Metrics:  ${base}/metrics (scope ops:read)`,
  '',
];
if (gateway.devKey) {
  lines.push(
    `  Mint a development token (signed with ${gateway.devKey.path}):`,
    `    npm run token -- --scope "${scopes.length ? scopes.join(' ') : 'ops:read'}"`,
    '',
    '  Call an API with it:',
    `    TOKEN=$(npm run -s token -- --scope "${example.scopes.join(' ')}")`,
    `    curl -H "Authorization: Bearer $TOKEN" ${base}${example.path}`,
    '',
  );
  if (config.platforms.embeddedSandboxes) {
    // The demo finds this gateway and the sandboxes in <VAR_DIR>/sandboxes.json.
    const varDir = config.runtime.varDir === 'var' ? '' : `VAR_DIR=${config.runtime.varDir} `;
    lines.push('  Walk one deal from won to paid (sandbox URLs in sandboxes.json under VAR_DIR):', `    ${varDir}npm run demo`, '');
  }
} else {
  lines.push(
    `  Tokens come from ${config.gateway.auth.issuer} (JWKS ${config.gateway.auth.jwksUrl}), audience ${config.gateway.auth.audience}.`,
    '',
  );
}
console.log(lines.join('\n'));

// Each contract's validator is otherwise built on its first request: build the rest now, in the background.
const buildingSince = performance.now();
gateway.buildValidators().then(
  (count) => gateway.layers.infra.logger.debug({ count, ms: Math.round(performance.now() - buildingSince) }, 'request validators built'),
  (err: unknown) => gateway.layers.infra.logger.error({ err: String(err) }, 'building the request validators failed'),
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    console.error(`${signal} again: exiting without waiting.`);
    process.exit(1);
  }
  stopping = true;
  gateway.layers.infra.logger.info({ signal }, 'shutting down');
  await gateway.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
