// Test harness for the gateway: a JWKS server on loopback with the test's own keys (it
// counts fetches and can hang), a token minter for those keys, the fixture catalogue, and
// a gateway started in-process on port 0 against a fresh SQLite store.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { loadConfig, type Config } from '../../core/config/index.js';
import { bundleContract, describeContract, loadCatalogue, PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import type { ApiContract } from '../../core/contracts/types.js';
import { start, type GatewayOverrides, type RunningGateway } from '../../gateway/server.js';
import { widgetModules } from './fixtures/widgets-module.js';

export const ISSUER = 'https://issuer.test.example';
export const AUDIENCE = 'ps-connectivity-layer-test';
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export interface SigningKey {
  kid: string;
  alg: 'ES256' | 'RS256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKey(alg: 'ES256' | 'RS256' = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, alg, privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' } };
}

export interface TestJwks {
  url: string;
  /** How many times the gateway fetched the key set. */
  fetches: number;
  /** When true, requests are accepted and never answered. */
  hang: boolean;
  publish(key: SigningKey): void;
  /** Takes a key out of the published set (a revoked or retired key). */
  withdraw(key: SigningKey): void;
  close(): Promise<void>;
}

export async function startJwks(keys: SigningKey[]): Promise<TestJwks> {
  const published: JWK[] = keys.map((k) => k.publicJwk);
  const state = { fetches: 0, hang: false };
  const server: Server = createServer((req, res) => {
    state.fetches += 1;
    if (state.hang) return; // never answers: the gateway's timeout must fire
    res.writeHead(200, { 'Content-Type': 'application/jwk-set+json' });
    res.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  return {
    url,
    get fetches() {
      return state.fetches;
    },
    get hang() {
      return state.hang;
    },
    set hang(value: boolean) {
      state.hang = value;
    },
    publish(key) {
      published.push(key.publicJwk);
    },
    withdraw(key) {
      const at = published.findIndex((jwk) => jwk.kid === key.kid);
      if (at >= 0) published.splice(at, 1);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export interface TokenOptions {
  key: SigningKey;
  scope?: string;
  sub?: string;
  clientId?: string;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  notBefore?: number;
  claims?: JWTPayload;
}

export async function token(opts: TokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = { ...(opts.scope !== undefined ? { scope: opts.scope } : {}), ...opts.claims };
  if (opts.clientId) claims.client_id = opts.clientId;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: opts.key.alg, kid: opts.key.kid, typ: 'at+jwt' })
    .setIssuer(opts.issuer ?? ISSUER)
    .setAudience(opts.audience ?? AUDIENCE)
    .setSubject(opts.sub ?? 'test-user')
    .setIssuedAt(now - 5)
    .setExpirationTime(now + (opts.expiresIn ?? 600));
  if (opts.notBefore !== undefined) jwt.setNotBefore(now + opts.notBefore);
  return jwt.sign(opts.key.privateKey);
}

let catalogue: Promise<ApiContract[]> | undefined;

/** The widgets fixture contracts plus the real gateway contract (for the gateway's own routes). */
export function fixtureCatalogue(): Promise<ApiContract[]> {
  catalogue ??= (async () => {
    const file = 'openapi/gateway/gateway.v1.yaml';
    const gatewayContract = describeContract(
      { layer: 'gateway', api: 'gateway', major: 1, file },
      await bundleContract(join(PROJECT_ROOT, file), file),
    );
    return [gatewayContract, ...(await loadCatalogue(FIXTURES))];
  })();
  return catalogue;
}

export interface TestGateway extends RunningGateway {
  config: Config;
}

/** Starts a gateway on port 0 with a fresh SQLite store in a temp dir, verifying tokens against `jwksUrl`. */
export async function startGateway(
  jwksUrl: string | undefined,
  env: Record<string, string> = {},
  overrides: GatewayOverrides = {},
): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'ps-gw-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    VAR_DIR: dir,
    DATABASE_URL: `sqlite:${join(dir, 'layer.db')}`,
    ...(jwksUrl ? { AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER } : {}),
    AUTH_AUDIENCE: AUDIENCE,
    // Generous, because the key set is served by this same busy test process: under a loaded
    // machine an 800 ms limit turned a healthy JWKS into 503s. The timeout test sets its own.
    AUTH_JWKS_TIMEOUT_MS: '15000',
    // The gateway's own behaviour is under test: no sandboxes; the system APIs answer 503.
    SANDBOXES: 'off',
    ...env,
  });
  const gateway = await start(config, { catalogue: await fixtureCatalogue(), apis: widgetModules, ...overrides });
  return {
    ...gateway,
    config,
    async close() {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface GatewayWithToken {
  gw: TestGateway;
  jwks: TestJwks;
  /** A token for `scope`, signed with the key the JWKS publishes. */
  jwt: string;
  close(): Promise<void>;
}

/** A JWKS with one key, a gateway (fixture catalogue) that trusts it, and a token with `scope` for `clientId`. */
export async function startGatewayWithToken(scope: string, clientId: string): Promise<GatewayWithToken> {
  const key = await makeKey();
  const jwks = await startJwks([key]);
  const gw = await startGateway(jwks.url);
  const jwt = await token({ key, scope, clientId });
  return {
    gw,
    jwks,
    jwt,
    async close() {
      await gw.close();
      await jwks.close();
    },
  };
}

/** A response body as tests inspect it: loosely, field by field, with expect() doing the checking. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test bodies are read loosely; expect() does the checking
export type Json = Record<string, any>;

export const bearer = (jwt: string) => ({ Authorization: `Bearer ${jwt}` });

/** Asserts nothing; parses a problem body so that tests can check type and status together. */
export async function problemOf(
  res: Response,
): Promise<{ type: string; title: string; status: number; detail: string; [k: string]: unknown }> {
  return (await res.json()) as { type: string; title: string; status: number; detail: string };
}
