// A small CometD (Bayeux 1.0) long-polling client for Salesforce's Streaming API: handshake,
// subscribe with the replay extension, connect, disconnect. It speaks only the wire protocol;
// change-stream.ts decides what to do with events and errors.
import { ProblemError } from '../../core/problems.js';
import type { Logger } from '../../core/observability/logger.js';
import { PlatformClient } from '../kit/index.js';
import { mapCrmError } from './errors.js';

export interface BayeuxMessage {
  channel: string;
  id?: string;
  clientId?: string;
  successful?: boolean;
  error?: string;
  subscription?: string;
  advice?: { reconnect?: 'retry' | 'handshake' | 'none'; interval?: number; timeout?: number };
  ext?: Record<string, unknown>;
  data?: unknown;
}

/** A Bayeux answer with `successful: false`: Salesforce's `code::text` error and its advice. */
export class BayeuxError extends Error {
  constructor(
    readonly channel: string,
    readonly error: string,
    readonly reconnect: string | undefined,
    readonly failureReason?: string,
  ) {
    super(`${channel} failed: ${error}${failureReason ? ` (${failureReason})` : ''}`);
    this.name = 'BayeuxError';
  }

  /** The session was refused or revoked: a new token is needed before a new handshake. */
  get authentication(): boolean {
    return /^401::/.test(this.error) || /^401::/.test(this.failureReason ?? '');
  }

  /** The server forgot the client (expired, restarted): handshake again. */
  get unknownClient(): boolean {
    return /^403::Unknown client/i.test(this.error) || this.reconnect === 'handshake';
  }

  /** Salesforce's answer to a replay id outside the retention window (or never given out). */
  get invalidReplayId(): boolean {
    return /^400::The replayId \{[^}]*\} you provided was invalid/.test(this.error);
  }
}

export interface CometdClientOptions {
  baseUrl: string;
  /** `v62.0`; the endpoint is `/cometd/62.0`. */
  apiVersion: string;
  /** The REST session's Authorization header (refetched when `force`). */
  authorize(force: boolean): Promise<Record<string, string>>;
  /** The long poll the client asks for; the HTTP deadline is this plus a margin. */
  longPollMs: number;
  logger?: Logger;
  traceparent?: () => string | undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export class CometdClient {
  private readonly http: PlatformClient;
  private readonly path: string;
  private clientId?: string;
  private nextId = 1;
  /** Set when the server called the session invalid: the next request fetches a new token. */
  private refreshToken = false;

  constructor(private readonly opts: CometdClientOptions) {
    this.path = `/cometd/${opts.apiVersion.replace(/^v/, '')}`;
    this.http = new PlatformClient({
      platform: 'crm',
      baseUrl: opts.baseUrl.replace(/\/+$/, ''),
      timeoutMs: opts.longPollMs + 15_000,
      // Each Bayeux exchange changes session state: never resent blindly; the stream reconnects instead.
      maxAttempts: 1,
      // Salesforce's examples send the session as `OAuth <token>`.
      authorize: async (force) => {
        const header = await opts.authorize(force || this.refreshToken);
        this.refreshToken = false;
        const value = header.Authorization ?? header.authorization ?? '';
        return { Authorization: value.replace(/^Bearer\s+/i, 'OAuth ') };
      },
      mapError: mapCrmError,
      logger: opts.logger,
      traceparent: opts.traceparent,
    });
  }

  get connected(): boolean {
    return this.clientId !== undefined;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  /** Starts a Bayeux session; a refused handshake throws a BayeuxError. */
  async handshake(): Promise<void> {
    this.clientId = undefined;
    const [answer] = await this.exchange({ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] });
    const sfdc = answer!.ext?.sfdc;
    const reason = isRecord(sfdc) && typeof sfdc.failureReason === 'string' ? sfdc.failureReason : undefined;
    if (!answer!.successful || typeof answer!.clientId !== 'string') {
      const error = new BayeuxError('/meta/handshake', answer!.error ?? 'handshake refused', answer!.advice?.reconnect, reason);
      if (error.authentication) this.refreshToken = true;
      throw error;
    }
    this.clientId = answer!.clientId;
  }

  /** Subscribes from `replayId` (-1 new events only, -2 every retained one, or the events after an id). */
  async subscribe(channel: string, replayId: number): Promise<void> {
    const answers = await this.exchange({ channel: '/meta/subscribe', subscription: channel, ext: { replay: { [channel]: replayId } } });
    const answer = answers.find((m) => m.channel === '/meta/subscribe');
    if (!answer?.successful) this.fail(answer, '/meta/subscribe');
  }

  /** One long poll: the events delivered with it, in order. A failed connect throws a BayeuxError. */
  async connect(): Promise<BayeuxMessage[]> {
    const answers = await this.exchange({
      channel: '/meta/connect',
      connectionType: 'long-polling',
      advice: { timeout: this.opts.longPollMs },
    });
    const reply = answers.find((m) => m.channel === '/meta/connect');
    if (!reply?.successful) this.fail(reply, '/meta/connect');
    return answers.filter((m) => !m.channel.startsWith('/meta/'));
  }

  /** Ends the session (and with it a poll held on the server); errors are of no interest here. */
  async disconnect(): Promise<void> {
    if (!this.clientId) return;
    await this.exchange({ channel: '/meta/disconnect' }).catch(() => undefined);
    this.clientId = undefined;
  }

  private fail(answer: BayeuxMessage | undefined, channel: string): never {
    const error = new BayeuxError(channel, answer?.error ?? 'no answer', answer?.advice?.reconnect);
    if (error.unknownClient || error.authentication) this.clientId = undefined;
    if (error.authentication) this.refreshToken = true;
    throw error;
  }

  private async exchange(message: Record<string, unknown>): Promise<BayeuxMessage[]> {
    const body = {
      ...message,
      id: String(this.nextId++),
      ...(this.clientId && message.channel !== '/meta/handshake' ? { clientId: this.clientId } : {}),
    };
    const res = await this.http.request<unknown>({ method: 'POST', path: this.path, body: [body], retryable: false });
    const answers = res.body;
    if (!Array.isArray(answers) || answers.length === 0 || !answers.every((m) => isRecord(m) && typeof m.channel === 'string')) {
      throw new ProblemError('upstream-error', {
        detail: 'The CRM answered a Streaming API request with something other than Bayeux messages.',
        extensions: { platform: 'crm' },
      });
    }
    return answers as BayeuxMessage[];
  }
}
