// The Streaming API: CometD (Bayeux 1.0) long polling at `POST /cometd/<version>` with the
// session token, the replay extension, and Change Data Capture channels (`/data/ChangeEvents`,
// `/data/<Object>ChangeEvent`). Errors are Bayeux messages in Salesforce's wording.
import { randomBytes } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import { channelEntity } from '../event-bus.js';
import { KEY_PREFIX, type SObjectName } from '../ids.js';
import type { BayeuxClient, CrmState } from '../state.js';

/** Replay (durable streaming) exists from v37.0; change events from v44.0. */
const OLDEST_VERSION = 44;
const NEWEST_VERSION = 62;
/** The longest a /meta/connect is held without events, as Salesforce advises. */
export const LONG_POLL_MS = 110_000;
const WAIT_SLICE_MS = 1_000;
/** A client that does not reconnect this long after an answer is forgotten. */
export const RECONNECT_DEADLINE_MS = 40_000;

type Message = Record<string, unknown> & { channel?: unknown; id?: unknown; clientId?: unknown };
type Reply = Record<string, unknown>;

const SOBJECTS = Object.keys(KEY_PREFIX) as SObjectName[];
const connectAdvice = { interval: 0, timeout: LONG_POLL_MS, reconnect: 'retry' };

function tokenOf(req: Request): string | undefined {
  return /^(?:OAuth|Bearer)\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
}

function reply(message: Message, fields: Reply): Reply {
  return { channel: message.channel, ...(message.id !== undefined ? { id: message.id } : {}), ...fields };
}

export function streamingRoutes(router: Router, ctx: SandboxContext<CrmState>): void {
  router.post('/cometd/:version', async (req: Request, res: Response) => {
    const m = /^(\d+)\.0$/.exec(String(req.params.version));
    const version = m ? Number(m[1]) : NaN;
    if (!(version >= OLDEST_VERSION && version <= NEWEST_VERSION)) return void res.status(404).type('text/plain').send('Not Found');
    const body: unknown = req.body;
    const messages = (Array.isArray(body) ? body : body && typeof body === 'object' ? [body] : []) as Message[];
    if (messages.length === 0 || messages.some((msg) => !msg || typeof msg !== 'object' || typeof msg.channel !== 'string')) {
      return void res.status(400).type('text/plain').send('Bad Request');
    }
    const state = ctx.state();
    const token = tokenOf(req);
    const session = token ? state.tokens.get(token) : undefined;
    const authFailure = !token
      ? '401::Request requires authentication'
      : !session || session.expiresAt <= Date.now()
        ? '401::Authentication invalid'
        : undefined;
    const replies: Reply[] = [];
    for (const message of messages) {
      if (authFailure) {
        replies.push(
          message.channel === '/meta/handshake'
            ? reply(message, {
                successful: false,
                error: '403::Handshake denied',
                ext: { sfdc: { failureReason: authFailure } },
                advice: { reconnect: 'none' },
              })
            : reply(message, {
                clientId: message.clientId,
                successful: false,
                error: authFailure,
                advice: { reconnect: 'none', interval: 0 },
              }),
        );
        continue;
      }
      // A held poll ends when the client goes away or a reset replaces the org's state.
      const ended = () => res.writableEnded || req.socket.destroyed || ctx.state() !== state;
      replies.push(...(await answer(state, message, ended)));
    }
    if (!res.headersSent && !req.socket.destroyed) res.json(replies);
  });
}

async function answer(state: CrmState, message: Message, ended: () => boolean): Promise<Reply[]> {
  expireSilentClients(state);
  if (message.channel === '/meta/handshake') {
    const id = randomBytes(14).toString('base64url').toLowerCase();
    state.bayeuxClients.set(id, { id, subscriptions: new Map(), lastAnswerMs: Date.now() });
    return [
      reply(message, {
        version: '1.0',
        minimumVersion: '1.0',
        clientId: id,
        supportedConnectionTypes: ['long-polling'],
        successful: true,
        ext: { replay: true, 'payload.format': true },
      }),
    ];
  }
  const client = typeof message.clientId === 'string' ? state.bayeuxClients.get(message.clientId) : undefined;
  if (!client) {
    return [
      reply(message, {
        clientId: message.clientId,
        successful: false,
        error: '403::Unknown client',
        advice: { reconnect: 'handshake', interval: 0 },
      }),
    ];
  }
  client.lastAnswerMs = Date.now();
  switch (message.channel) {
    case '/meta/subscribe':
      return [subscribe(state, client, message)];
    case '/meta/unsubscribe':
      client.subscriptions.delete(String(message.subscription));
      return [reply(message, { clientId: client.id, subscription: message.subscription, successful: true })];
    case '/meta/disconnect':
      state.bayeuxClients.delete(client.id);
      client.release?.();
      return [reply(message, { clientId: client.id, successful: true })];
    case '/meta/connect':
      return connect(state, client, message, ended);
    default:
      return [reply(message, { clientId: client.id, successful: false, error: `403::Publish denied` })];
  }
}

function subscribe(state: CrmState, client: BayeuxClient, message: Message): Reply {
  const channel = message.subscription;
  const fail = (error: string) => reply(message, { clientId: client.id, subscription: channel, successful: false, error });
  if (typeof channel !== 'string' || !channelEntity(channel, SOBJECTS)) return fail(`403::Unknown channel`);
  const ext = message.ext as { replay?: unknown } | undefined;
  const replayMap = ext && typeof ext.replay === 'object' && ext.replay !== null ? (ext.replay as Record<string, unknown>) : undefined;
  let from: number;
  if (!replayMap) from = state.eventBus.latest();
  else if (!(channel in replayMap)) {
    return fail(
      `400::The replayId for channel {${channel}} wasn't found using the provided replay ID map {${JSON.stringify(replayMap)}}. ` +
        'Ensure that the channel name you provided in the replay map is valid and matches the channel name used for subscribing.',
    );
  } else {
    const replayId = Number(replayMap[channel]);
    if (replayId === -1) from = state.eventBus.latest();
    else if (replayId === -2) from = state.eventBus.beforeOldest();
    else if (Number.isInteger(replayId) && state.eventBus.retains(replayId)) from = replayId;
    else {
      return fail(
        `400::The replayId {${String(replayMap[channel])}} you provided was invalid. ` +
          'Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.',
      );
    }
  }
  client.subscriptions.set(channel, from);
  return reply(message, { clientId: client.id, subscription: channel, successful: true });
}

/** Events waiting for the client on each of its channels, oldest first; moves its positions past them. */
function deliverable(state: CrmState, client: BayeuxClient): Reply[] {
  const out: Reply[] = [];
  for (const [channel, from] of client.subscriptions) {
    const events = state.eventBus.after(from, channelEntity(channel, SOBJECTS)!);
    for (const e of events) out.push({ channel, data: e.data });
    if (events.length > 0) client.subscriptions.set(channel, events.at(-1)!.replayId);
  }
  return out;
}

async function connect(state: CrmState, client: BayeuxClient, message: Message, ended: () => boolean): Promise<Reply[]> {
  // One held poll per client: a newer connect answers the older one.
  client.release?.();
  let events = deliverable(state, client);
  const advice = message.advice as { timeout?: unknown } | undefined;
  const asked = typeof advice?.timeout === 'number' && advice.timeout >= 0 ? advice.timeout : LONG_POLL_MS;
  const deadline = Date.now() + Math.min(asked, LONG_POLL_MS);
  let released = false;
  // Waits in slices so that a poll held on a state that a reset replaced, or by a client that left, ends soon.
  while (events.length === 0 && !released && !ended() && Date.now() < deadline) {
    const wait = state.eventBus.wait(Math.min(deadline - Date.now(), WAIT_SLICE_MS));
    const release = () => {
      released = true;
      wait.cancel();
    };
    client.release = release;
    await wait.done;
    if (client.release === release) client.release = undefined;
    // A client that left while its poll was held must not lose the events it would have been sent.
    if (!ended() && state.bayeuxClients.has(client.id)) events = deliverable(state, client);
  }
  client.lastAnswerMs = Date.now();
  return [...events, reply(message, { clientId: client.id, successful: true, advice: connectAdvice })];
}

function expireSilentClients(state: CrmState, now = Date.now()): void {
  for (const [id, client] of state.bayeuxClients) {
    if (!client.release && now - client.lastAnswerMs > RECONNECT_DEADLINE_MS) state.bayeuxClients.delete(id);
  }
}
