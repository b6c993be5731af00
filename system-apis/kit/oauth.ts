// OAuth 2.0 client-credentials (RFC 6749 §4.4) with a cached token, early refresh, one
// fetch at a time, and errors that never echo the client secret, the assertion or the token.
// The client authenticates with its secret, or with a signed JWT client assertion (RFC 7523 §2.2).
import { ProblemError } from '../../core/problems.js';
import { exchange, ExchangeError, type Platform, type RawResponse } from './transport.js';

export interface ClientCredentialsOptions {
  tokenUrl: string;
  clientId: string;
  /** The client secret; unused when `clientAssertion` is given. */
  clientSecret?: string;
  /**
   * Makes a fresh signed JWT for each token request (RFC 7523 client authentication): the form
   * then carries client_assertion_type and client_assertion instead of the id and secret.
   */
  clientAssertion?: () => Promise<string>;
  scope?: string;
  timeoutMs: number;
  platform: Platform;
  /** How the client authenticates: form fields (Salesforce's documented way, default) or HTTP Basic. */
  auth?: 'body' | 'basic';
  /** Lifetime assumed when the server omits expires_in (Salesforce does). Default 10 minutes. */
  defaultLifetimeSeconds?: number;
}

interface CachedToken {
  header: Record<string, string>;
  refreshAt: number;
}

const OAUTH_ERROR = /^[\w.-]{1,64}$/;
/** Token requests sent at most this often when the connection fails before an answer. */
const TOKEN_ATTEMPTS = 3;

export class ClientCredentialsToken {
  private cached?: CachedToken;
  private inflight?: Promise<CachedToken>;
  private extra: Record<string, unknown> = {};

  constructor(private readonly opts: ClientCredentialsOptions) {}

  /** `{ Authorization: 'Bearer …' }`; force=true drops the cached token and fetches a new one. */
  async header(force = false): Promise<Record<string, string>> {
    if (force) this.cached = undefined;
    if (this.cached && Date.now() < this.cached.refreshAt) return { ...this.cached.header };
    this.inflight ??= this.fetchToken().finally(() => (this.inflight = undefined));
    const token = await this.inflight;
    this.cached = token;
    return { ...token.header };
  }

  /** The token response's other fields (e.g. Salesforce's instance_url), without the token itself. */
  fields(): Record<string, unknown> {
    return { ...this.extra };
  }

  /**
   * Posts the grant, sending it again when the connection failed before an answer (refused, or
   * reset as a pooled socket closes under us). A client-credentials grant changes nothing on the
   * platform but issue a token, so a repeat is safe; a timeout is not repeated, to keep the
   * caller's wait bounded by one timeout. Each attempt builds its request afresh, so a client
   * assertion (single use, by its jti) is signed anew rather than replayed.
   */
  private async exchangeWithRetry(): Promise<RawResponse> {
    for (let attempt = 1; ; attempt++) {
      const { headers, body } = await this.grantRequest();
      try {
        return await exchange({
          platform: this.opts.platform,
          url: this.opts.tokenUrl,
          method: 'POST',
          headers,
          body,
          timeoutMs: this.opts.timeoutMs,
          maxResponseBytes: 64 * 1024,
        });
      } catch (err) {
        const again = err instanceof ExchangeError && (err.failure === 'refused' || err.failure === 'connection');
        if (!again || attempt >= TOKEN_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  /** The grant's headers and form body, with a newly signed client assertion when one is configured. */
  private async grantRequest(): Promise<{ headers: Record<string, string>; body: string }> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.opts.scope) form.set('scope', this.opts.scope);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (this.opts.clientAssertion) {
      form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      form.set('client_assertion', await this.opts.clientAssertion());
    } else if (this.opts.auth === 'basic') {
      const pair = `${encodeURIComponent(this.opts.clientId)}:${encodeURIComponent(this.opts.clientSecret ?? '')}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      form.set('client_id', this.opts.clientId);
      form.set('client_secret', this.opts.clientSecret ?? '');
    }
    return { headers, body: form.toString() };
  }

  private async fetchToken(): Promise<CachedToken> {
    const { platform } = this.opts;
    const started = Date.now();
    const raw = await this.exchangeWithRetry();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      // Left empty: handled as a missing token below.
    }
    if (raw.status >= 500 || raw.status === 429) {
      throw new ProblemError('upstream-unavailable', {
        detail: `The ${platform} platform's token endpoint is unavailable (${raw.status}).`,
        extensions: { platform, upstreamStatus: raw.status },
        ...(raw.headers['retry-after'] ? { headers: { 'Retry-After': raw.headers['retry-after'] } } : {}),
      });
    }
    const token = typeof body.access_token === 'string' ? body.access_token : undefined;
    if (raw.status !== 200 || !token) {
      // Only the OAuth error code is repeated, never the description, which some servers fill with the request.
      const code = typeof body.error === 'string' && OAUTH_ERROR.test(body.error) ? body.error : undefined;
      throw new ProblemError('upstream-error', {
        detail: `The ${platform} platform refused the layer's client credentials (${raw.status}${code ? ` ${code}` : ''}).`,
        extensions: { platform, upstreamStatus: raw.status },
      });
    }
    const expiresIn = Number(body.expires_in);
    const lifetimeMs = (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : (this.opts.defaultLifetimeSeconds ?? 600)) * 1000;
    // Refresh at 80% of the lifetime, so that a token never expires between fetch and use.
    const refreshAt = started + Math.floor(lifetimeMs * 0.8);
    const { access_token: _token, refresh_token: _refresh, ...rest } = body;
    this.extra = rest;
    const type = typeof body.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer' ? body.token_type : 'Bearer';
    return { header: { Authorization: `${type} ${token}` }, refreshAt };
  }
}
