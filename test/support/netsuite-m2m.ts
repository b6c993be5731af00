// NetSuite's machine-to-machine login for tests that call the ERP sandbox directly: a JWT client
// assertion signed with the development certificate key (or with whatever a test wants to break),
// exchanged at the token endpoint for a bearer token.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { request } from 'undici';
import { ERP_DEV_CERTIFICATE_ID, ERP_DEV_PRIVATE_KEY_PEM, erpM2mConfig, type ErpM2mConfig } from '../../core/config/erp-m2m.js';

export const TOKEN_PATH = '/services/rest/auth/oauth2/v1/token';
export const DEV_CLIENT_ID = 'sandbox-erp-client';
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The connector's development login: the seeded certificate and its key, as the config defaults them. */
export function devM2m(): ErpM2mConfig {
  return erpM2mConfig({}, false);
}

export const devPrivateKey = (): KeyObject => createPrivateKey(ERP_DEV_PRIVATE_KEY_PEM);

/** A fresh key pair of the kind NetSuite takes (EC P-256 for ES256, RSA 3072 for PS256). */
export function newKeyPair(alg: 'ES256' | 'PS256'): { privateKey: KeyObject; publicKeyPem: string } {
  const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 3072 });
  return { privateKey: pair.privateKey, publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export interface AssertionOptions {
  baseUrl: string;
  alg?: string;
  kid?: string;
  typ?: string;
  key?: KeyObject | Uint8Array;
  /** Claims to set or (with undefined) to leave out; defaults: iss, aud, scope, iat now, exp in 5 minutes. */
  claims?: Partial<Record<keyof JWTPayload | 'scope', unknown>>;
}

/** Signs a client assertion; every part can be overridden to build the wrong ones. */
export async function signAssertion(opts: AssertionOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: DEV_CLIENT_ID,
    aud: `${opts.baseUrl}${TOKEN_PATH}`,
    scope: 'rest_webservices',
    iat: now,
    exp: now + 300,
    ...opts.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? 'ES256', typ: opts.typ ?? 'JWT', kid: opts.kid ?? ERP_DEV_CERTIFICATE_ID })
    .sign(opts.key ?? devPrivateKey());
}

/** Posts a token request form; answers status and JSON body. */
export async function tokenRequest(
  baseUrl: string,
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, string> }> {
  const res = await request(`${baseUrl}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, string> };
}

/** The client-credentials request with an assertion. */
export const assertionForm = (assertion: string) => ({
  grant_type: 'client_credentials',
  client_assertion_type: JWT_BEARER,
  client_assertion: assertion,
});

/** A bearer token for the development integration, by the M2M flow. */
export async function m2mToken(baseUrl: string): Promise<string> {
  const res = await tokenRequest(baseUrl, assertionForm(await signAssertion({ baseUrl })));
  if (res.status !== 200 || !res.body.access_token) throw new Error(`ERP sandbox refused the M2M login: ${res.status} ${res.body.error}`);
  return res.body.access_token;
}
