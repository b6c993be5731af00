// The development signing key: made once under <VAR_DIR>/dev-keys/ (mode 0600), served as
// a JWKS by the gateway and used by `npm run token`. Never used when AUTH_JWKS_URL is set,
// and the config refuses production without AUTH_JWKS_URL.
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JSONWebKeySet } from 'jose';
import type { Config } from '../../core/config/index.js';

export const DEV_KEY_ALG = 'ES256';
const KEY_FILE = 'signing-key.jwk.json';

export interface DevSigningKey {
  kid: string;
  alg: typeof DEV_KEY_ALG;
  privateKey: CryptoKey;
  /** The public half as a JWKS, served at /.well-known/jwks.json. */
  jwks: JSONWebKeySet;
  path: string;
}

export function devKeyDir(varDir: string): string {
  return resolve(varDir, 'dev-keys');
}

async function createKeyFile(path: string): Promise<void> {
  const { privateKey } = await generateKeyPair(DEV_KEY_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = DEV_KEY_ALG;
  jwk.use = 'sig';
  // Write to a private temp file, then link it into place: link fails if another process
  // (a concurrent `npm start` and `npm run token`) won the race, and then we use theirs.
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(jwk, null, 2), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Loads the development key, creating it on first use. */
export async function loadOrCreateDevKey(varDir: string): Promise<DevSigningKey> {
  const dir = devKeyDir(varDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, KEY_FILE);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await createKeyFile(path);
    raw = readFileSync(path, 'utf8');
  }
  chmodSync(path, 0o600);
  const jwk = JSON.parse(raw) as JWK;
  if (!jwk.kid || jwk.alg !== DEV_KEY_ALG || !jwk.d) {
    throw new Error(`The development key ${path} is not an ${DEV_KEY_ALG} private JWK with a kid; delete it to make a new one`);
  }
  const privateKey = (await importJWK(jwk, DEV_KEY_ALG)) as CryptoKey;
  const { d: _private, ...publicJwk } = jwk;
  return { kid: jwk.kid, alg: DEV_KEY_ALG, privateKey, jwks: { keys: [publicJwk] }, path };
}

/** A development token for the layer configured so: signed with its development key, for its issuer and audience. */
export async function signDevToken(
  config: Pick<Config, 'runtime' | 'gateway'>,
  token: { scope: string; sub: string; claims?: Record<string, string>; ttlSeconds?: number },
): Promise<string> {
  const key = await loadOrCreateDevKey(config.runtime.varDir);
  return new SignJWT({ scope: token.scope, ...token.claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(config.gateway.auth.issuer)
    .setAudience(config.gateway.auth.audience)
    .setSubject(token.sub)
    .setIssuedAt()
    .setExpirationTime(`${token.ttlSeconds ?? 3600}s`)
    .setJti(crypto.randomUUID())
    .sign(key.privateKey);
}
