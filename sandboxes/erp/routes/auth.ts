// NetSuite's machine-to-machine login: OAuth 2.0 client credentials where the client proves
// itself with a JWT client assertion (RFC 7523) signed by the key of a certificate mapped to
// its integration record, and the Bearer check on record and query calls. Tokens live 60 minutes.
// Logins follow the real clock, not the account clock tests may pin for record dates.
import express, { type RequestHandler, type Router } from 'express';
import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { Logger } from '../../kit/app.js';
import { sendNsError } from '../errors.js';
import type { ErpState } from '../state.js';

export const TOKEN_PATH = '/services/rest/auth/oauth2/v1/token';
const TOKEN_TTL_SECONDS = 3600;
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The algorithms "The Request Token Structure" lists; RS256 (PKCS#1 v1.5) is no longer among them. */
const ASSERTION_ALGORITHMS = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
/** An assertion may live at most 60 minutes past its iat. */
const MAX_ASSERTION_SECONDS = 3600;
const CLOCK_SKEW_SECONDS = 60;
export const SCOPES = ['restlets', 'rest_webservices', 'suite_analytics'] as const;

type OAuthError = 'invalid_request' | 'unsupported_grant_type' | 'invalid_client' | 'invalid_grant' | 'invalid_scope';

class Refusal extends Error {
  constructor(
    readonly error: OAuthError,
    /** Why, for the sandbox's log (NetSuite shows it in the Login Audit Trail, never in the answer). */
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * The scope claim as "The Request Token Structure" documents it: one string of restlets,
 * rest_webservices and suite_analytics separated by commas. Anything else (a JSON array, a
 * space-separated list, an unknown name) is refused: NetSuite documents no other form.
 */
function scopesOf(claim: unknown): string[] {
  if (claim === undefined) throw new Refusal('invalid_scope', 'the assertion has no scope');
  if (typeof claim !== 'string') throw new Refusal('invalid_scope', 'the scope claim is not a comma-separated string');
  const scopes = claim.split(',').map((s) => s.trim());
  if (scopes.some((s) => s === '')) throw new Refusal('invalid_scope', 'the scope claim has an empty entry');
  for (const s of scopes) if (!(SCOPES as readonly string[]).includes(s)) throw new Refusal('invalid_scope', `unknown scope ${s}`);
  return [...new Set(scopes)];
}

/** Checks one client assertion against the mapped certificates; answers the scopes to grant. */
async function verifyAssertion(state: ErpState, assertion: string, tokenUrl: string): Promise<string[]> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw new Refusal('invalid_client', 'the assertion is not a JWT');
  }
  if (header.typ !== 'JWT') throw new Refusal('invalid_client', 'the assertion header typ is not JWT');
  if (!header.alg || !ASSERTION_ALGORITHMS.includes(header.alg))
    throw new Refusal('invalid_client', `algorithm ${String(header.alg)} is not accepted`);
  const certificate = typeof header.kid === 'string' ? state.certificates.get(header.kid) : undefined;
  if (!certificate) throw new Refusal('invalid_client', 'the kid names no mapped certificate');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(assertion, certificate.publicKey, {
      algorithms: ASSERTION_ALGORITHMS,
      typ: 'JWT',
      issuer: certificate.clientId,
      audience: tokenUrl,
      requiredClaims: ['iss', 'aud', 'iat', 'exp'],
      clockTolerance: CLOCK_SKEW_SECONDS,
    }));
  } catch (err) {
    throw new Refusal('invalid_client', `the assertion failed verification (${(err as { code?: string }).code ?? 'error'})`);
  }
  const now = Math.floor(Date.now() / 1000);
  if (payload.iat! > now + CLOCK_SKEW_SECONDS) throw new Refusal('invalid_client', 'the assertion is issued in the future');
  // NetSuite: exp "must be less than 60 minutes greater than" iat, so exactly 60 minutes is refused too.
  if (payload.exp! - payload.iat! >= MAX_ASSERTION_SECONDS)
    throw new Refusal('invalid_client', 'exp is not less than 60 minutes after iat');
  if (!state.integrations.has(certificate.clientId)) throw new Refusal('invalid_client', 'the integration record is disabled');
  if (certificate.revoked) throw new Refusal('invalid_grant', 'the certificate mapping is revoked');
  return scopesOf(payload.scope);
}

/** Issues an access token for the scopes; also what the sandbox's UI-session admin call uses. */
export function issueToken(state: ErpState, scopes: readonly string[]): { access_token: string; expires_in: string; token_type: 'bearer' } {
  const token = `nsat_${randomBytes(24).toString('base64url')}`;
  state.tokens.set(token, { expiresAt: Date.now() + TOKEN_TTL_SECONDS * 1000, scopes });
  // NetSuite answers expires_in as the string "3600".
  return { access_token: token, expires_in: String(TOKEN_TTL_SECONDS), token_type: 'bearer' };
}

export function tokenRoutes(router: Router, deps: { state(): ErpState; baseUrl(): string; log: Logger }): void {
  router.post(TOKEN_PATH, express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      if (typeof body.grant_type !== 'string') throw new Refusal('invalid_request', 'grant_type is missing');
      if (body.grant_type !== 'client_credentials') throw new Refusal('unsupported_grant_type', `grant_type ${body.grant_type}`);
      if (body.client_assertion_type !== JWT_BEARER) throw new Refusal('invalid_request', 'client_assertion_type is not jwt-bearer');
      if (typeof body.client_assertion !== 'string' || body.client_assertion === '')
        throw new Refusal('invalid_request', 'client_assertion is missing');
      const scopes = await verifyAssertion(deps.state(), body.client_assertion, `${deps.baseUrl()}${TOKEN_PATH}`);
      res.json(issueToken(deps.state(), scopes));
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      deps.log.info({ error: err.error, reason: err.reason }, 'token request refused');
      res.status(400).json({ error: err.error });
    }
  });
}

/** Rejects record and query calls without a live Bearer token for REST web services, in NetSuite's 401 shape. */
export function requireBearer(state: () => ErpState): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const issued = token ? state().tokens.get(token) : undefined;
    const live = issued !== undefined && issued.expiresAt > Date.now();
    if (!live || !issued.scopes.includes('rest_webservices')) {
      if (issued && !live) state().tokens.delete(token);
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      sendNsError(
        res,
        401,
        'INVALID_LOGIN',
        'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
      );
      return;
    }
    next();
  };
}
