// `npm run cluster -- --replicas 3 [--port 8080] [--var-dir var/cluster]`: the embedded sandboxes
// once, N replicas on DATABASE_URL (PostgreSQL) and REDIS_URL, HAProxy on one front port.
// Prints the addresses; Ctrl-C stops everything (replicas drain first, as on SIGTERM).
import { parseArgs } from 'node:util';
import { ClusterConfigError, DEFAULT_CLUSTER_VAR_DIR, requireSharedServices, startCluster, type RunningCluster } from './cluster.js';

const USAGE = 'Usage: DATABASE_URL=postgres://… REDIS_URL=redis://… npm run cluster -- --replicas 3 [--port 8080] [--var-dir var/cluster]';

function fail(message: string, code = 2): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(code);
}

let values;
try {
  values = parseArgs({
    options: {
      replicas: { type: 'string', default: '3' },
      port: { type: 'string', default: '8080' },
      'var-dir': { type: 'string', default: DEFAULT_CLUSTER_VAR_DIR },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const replicas = Number(values.replicas);
if (!Number.isInteger(replicas) || replicas < 1 || replicas > 16)
  fail(`--replicas must be a whole number from 1 to 16, not ${values.replicas}.`);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port + replicas + 1 > 65535)
  fail(`--port must leave room for ${replicas + 2} ports, not ${values.port}.`);

let cluster: RunningCluster;
try {
  const { databaseUrl, redisUrl } = requireSharedServices(process.env);
  cluster = await startCluster({ replicas, databaseUrl, redisUrl, varDir: values['var-dir'], port, log: (l) => console.log(l) });
} catch (err) {
  if (err instanceof ClusterConfigError) fail(`Cannot start the cluster: ${err.message}`);
  console.error(`Cannot start the cluster: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

console.log(
  [
    '',
    `  ${replicas} replica(s) behind HAProxy on ${cluster.url}`,
    `  HAProxy stats:  ${cluster.statsUrl}`,
    `  Health:         ${cluster.url}/readyz`,
    `  Docs:           ${cluster.url}/docs`,
    `  Token:          VAR_DIR=${values['var-dir']} npm run -s token -- --scope "process:read"`,
    `  Demo:           VAR_DIR=${values['var-dir']} npm run demo`,
    '',
    '  Ctrl-C stops HAProxy, drains and stops the replicas, then the sandboxes.',
    '',
  ].join('\n'),
);

let stoppingSince: number | undefined;
const shutdown = (signal: string) => {
  // npm forwards the terminal's Ctrl-C to this process, which the terminal signals too: one press, two signals.
  if (stoppingSince !== undefined && Date.now() - stoppingSince < 2_000) return;
  if (stoppingSince !== undefined) {
    console.error(`${signal} again: exiting without waiting.`);
    for (const r of cluster.replicas) r.process.kill('SIGKILL');
    process.exit(1);
  }
  stoppingSince = Date.now();
  console.log(`  ${signal}: stopping…`);
  void cluster.stop().then(() => process.exit(0));
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
