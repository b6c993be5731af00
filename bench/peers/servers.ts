// One server of `npm run bench -- gateway` per child process, so that autocannon (in the parent)
// and the servers do not share an event loop. The child reports its URL to the parent and answers
// 'cpu' with its own CPU time, the server's cost per request once divided by the requests served.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { pino } from 'pino';

export const PATH = '/system/widgets/v3/widgets/w-1';
export const BODY = JSON.stringify({ id: 'w-1', name: 'First widget' });

export const ROLES = ['bare', 'express', 'fastify', 'backend', 'gateway'] as const;
export type Role = (typeof ROLES)[number];

/** What a child tells the parent once it listens. */
export interface Served {
  url: string;
  port: number;
}

function listening(server: import('node:http').Server): Served {
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${PATH}`, port };
}

async function startGateway(publicJwk: JWK): Promise<{ served: Served; close: () => Promise<void> }> {
  const { loadConfig } = await import('../../core/config/index.js');
  const { createLogger } = await import('../../core/observability/logger.js');
  const { start } = await import('../../gateway/server.js');
  const { startJwks, fixtureCatalogue, ISSUER, AUDIENCE } = await import('../../test/gateway/support.js');
  const { widgetModules } = await import('../../test/gateway/fixtures/widgets-module.js');
  // startJwks publishes public JWKs only; the private half stays with the parent.
  const jwks = await startJwks([{ publicJwk } as Parameters<typeof startJwks>[0][number]]);
  const dir = mkdtempSync(join(tmpdir(), 'ps-bench-'));
  const loaded = loadConfig({
    NODE_ENV: 'development',
    PORT: '0',
    VAR_DIR: dir,
    DATABASE_URL: `sqlite:${join(dir, 'layer.db')}`,
    AUTH_JWKS_URL: jwks.url,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    // Both limiters run on every request but never refuse: the benchmark is one address and one consumer.
    RATE_LIMIT_LIMIT: '1000000000',
    RATE_LIMIT_ADDRESS_LIMIT: '1000000000',
    SANDBOXES: 'off', // the embedded platform sandboxes would share this process's CPU
  });
  // Production behaviour (no response validation, no internals) without the production-only
  // platform credentials the config would demand; the benchmark calls no platform.
  const config = { ...loaded, runtime: { ...loaded.runtime, nodeEnv: 'production' as const } };
  // The production logger (format, redaction, ISO time) at info level, one access line per request,
  // written synchronously as pino writes to stdout, but to /dev/null so the terminal stays readable.
  const logger = createLogger({ nodeEnv: 'production', logLevel: 'info' }, 'ps-layer', pino.destination({ dest: '/dev/null', sync: true }));
  const gw = await start(config, { catalogue: await fixtureCatalogue(), apis: widgetModules, layers: { infra: { logger } } });
  return {
    served: { url: `${gw.url}${PATH}`, port: gw.port },
    close: async () => {
      await gw.close();
      await jwks.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function serve(role: Role, publicJwk: JWK): Promise<void> {
  process.on('message', (msg) => {
    if (msg === 'cpu') process.send!({ cpu: process.cpuUsage() });
  });
  let served: Served;
  let close = async () => {};
  if (role === 'bare' || role === 'backend') {
    // The floor, and HAProxy's backend: the same answer with nothing in front of it.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(BODY) });
      res.end(BODY);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    served = listening(server);
  } else if (role === 'express') {
    // Express 5 with the same route and nothing else: the framework's own floor.
    const { default: express } = await import('express');
    const app = express();
    app.get(PATH, (_req, res) => {
      res.type('json').send(BODY);
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    served = listening(server);
  } else if (role === 'fastify') {
    const { startFastifyPeer } = await import('./fastify.js');
    const address = await startFastifyPeer(publicJwk);
    served = { url: `${address}${PATH}`, port: Number(new URL(address).port) };
  } else {
    ({ served, close } = await startGateway(publicJwk));
  }
  process.on('disconnect', () => {
    void close().then(() => process.exit(0));
  });
  process.send!(served);
}

const role = process.env.BENCH_GATEWAY_ROLE as Role | undefined;
if (role && ROLES.includes(role)) await serve(role, JSON.parse(process.env.BENCH_PUBLIC_JWK ?? '{}') as JWK);
