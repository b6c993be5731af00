// The CRM sandbox's Streaming API on the wire: Bayeux handshake, subscribe with the replay
// extension, long-poll connect delivering change events with replay ids, Salesforce's errors
// for a missing session, an unknown client and a replay id outside the retention window, and
// the relay switch.
import { describe, expect, it } from 'vitest';
import { useCrmSandbox } from '../../test/support/crm-sandbox-session.js';

const session = useCrmSandbox();
const COMETD = '/cometd/62.0';
const state = () => session.sandbox.ctx.state();
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Bayeux messages are arbitrary JSON
type Msg = any;

async function bayeux(messages: Msg[], auth = true): Promise<Msg[]> {
  const res = await session.call('POST', COMETD, messages, auth ? { authorization: `OAuth ${session.token}` } : { authorization: '' });
  expect(res.status, 'CometD answers 200 with Bayeux messages').toBe(200);
  return res.body as Msg[];
}

async function handshake(): Promise<string> {
  const [hs] = await bayeux([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: '1' }]);
  expect(hs).toMatchObject({ successful: true, supportedConnectionTypes: ['long-polling'], ext: { replay: true } });
  return hs.clientId as string;
}

const subscribe = (clientId: string, channel: string, replay?: number) =>
  bayeux([
    {
      channel: '/meta/subscribe',
      clientId,
      subscription: channel,
      id: '2',
      ...(replay !== undefined ? { ext: { replay: { [channel]: replay } } } : {}),
    },
  ]);

const connect = (clientId: string, timeout = 0) =>
  bayeux([{ channel: '/meta/connect', clientId, connectionType: 'long-polling', id: '3', advice: { timeout } }]);

let edits = 0;
/** Changes the n-th opportunity's description (always a change, so always one event); answers its id. */
async function changeOpportunity(n = 0): Promise<string> {
  const id = [...state().records.Opportunity.keys()][n]!;
  const res = await session.call('PATCH', `/services/data/v62.0/sobjects/Opportunity/${id}`, { Description: `edit ${++edits}` });
  expect(res.status).toBe(204);
  return id;
}

describe('CRM sandbox: Streaming API (CometD) with replay', () => {
  it('refuses a handshake without a valid session the way Salesforce does', async () => {
    const [none] = await bayeux([{ channel: '/meta/handshake', version: '1.0', id: '1' }], false);
    expect(none).toMatchObject({
      successful: false,
      error: '403::Handshake denied',
      ext: { sfdc: { failureReason: '401::Request requires authentication' } },
      advice: { reconnect: 'none' },
    });
    const res = await session.call('POST', COMETD, [{ channel: '/meta/handshake', version: '1.0' }], { authorization: 'OAuth nope' });
    expect(res.body[0].ext.sfdc.failureReason).toBe('401::Authentication invalid');
    const [unknown] = await connect('no-such-client');
    expect(unknown).toMatchObject({ successful: false, error: '403::Unknown client', advice: { reconnect: 'handshake' } });
  });

  it('delivers change events after the replay id a subscriber asks for, and new ones to a -1 subscriber', async () => {
    const before = state().eventBus.latest();
    const changedId = await changeOpportunity();
    const fresh = await handshake();
    expect((await subscribe(fresh, '/data/OpportunityChangeEvent', -1))[0]).toMatchObject({ successful: true });
    const nothing = await connect(fresh);
    expect(nothing, 'a -1 subscriber gets no event published before it subscribed').toHaveLength(1);
    expect(nothing[0]).toMatchObject({ channel: '/meta/connect', successful: true, advice: { reconnect: 'retry', timeout: 110_000 } });

    const replaying = await handshake();
    // The replay id of the event before ours, or all retained when ours is the first.
    await subscribe(replaying, '/data/ChangeEvents', before === 0 ? -2 : before);
    const delivered = await connect(replaying);
    const events = delivered.filter((m: Msg) => m.channel === '/data/ChangeEvents');
    expect(events.length, 'the event after the stored replay id').toBeGreaterThanOrEqual(1);
    const won = events.at(-1);
    expect(won.data.event.replayId).toBe(state().eventBus.latest());
    expect(won.data.payload.ChangeEventHeader).toMatchObject({
      entityName: 'Opportunity',
      changeType: 'UPDATE',
      recordIds: [changedId],
      changedFields: expect.arrayContaining(['Description']),
      transactionKey: expect.any(String),
      sequenceNumber: 1,
      commitTimestamp: expect.any(Number),
    });
    expect(delivered.at(-1)).toMatchObject({ channel: '/meta/connect', successful: true });

    // A held poll is answered as soon as an event is published.
    const held = connect(fresh, 30_000);
    await new Promise((r) => setTimeout(r, 50));
    await changeOpportunity();
    const answered = await held;
    expect(
      answered.some((m: Msg) => m.channel === '/data/OpportunityChangeEvent'),
      'the held poll carried the event',
    ).toBe(true);
  });

  it('refuses a replay id outside the retention window with Salesforce error, and -2 replays what is retained', async () => {
    await changeOpportunity();
    const old = state().eventBus.latest();
    await session.call('PUT', '/_sandbox/change-events', { retentionSeconds: 0 });
    await session.call('PUT', '/_sandbox/change-events', { retentionSeconds: 3600 });
    await changeOpportunity(1);
    const clientId = await handshake();
    const [refused] = await subscribe(clientId, '/data/OpportunityChangeEvent', old);
    expect(refused).toMatchObject({
      successful: false,
      subscription: '/data/OpportunityChangeEvent',
      error: `400::The replayId {${old}} you provided was invalid. Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`,
    });
    expect((await subscribe(clientId, '/data/OpportunityChangeEvent', -2))[0].successful).toBe(true);
    const replayed = (await connect(clientId)).filter((m: Msg) => m.data);
    expect(
      replayed.map((m: Msg) => m.data.event.replayId),
      'only the retained event',
    ).toEqual([state().eventBus.latest()]);
    const [noEntry] = await bayeux([
      { channel: '/meta/subscribe', clientId, subscription: '/data/AccountChangeEvent', ext: { replay: { '/data/Other': -1 } } },
    ]);
    expect(noEntry.error).toMatch(/^400::The replayId for channel \{\/data\/AccountChangeEvent\} wasn't found/);
  });

  it('ends a held poll when a reset replaces the org, and then no longer knows the client', async () => {
    const clientId = await handshake();
    await subscribe(clientId, '/data/ChangeEvents', -1);
    const held = connect(clientId, 30_000);
    await new Promise((r) => setTimeout(r, 50));
    session.sandbox.reset('small');
    expect((await held).at(-1), 'the held poll answered').toMatchObject({ channel: '/meta/connect', successful: true });
    // The reset also forgot the session: the old token is refused, a new one finds no such client.
    expect((await connect(clientId))[0]).toMatchObject({ successful: false, error: '401::Authentication invalid' });
    const login = await session.fetchToken({
      grant_type: 'client_credentials',
      client_id: 'sandbox-crm-client',
      client_secret: 'sandbox-crm-secret',
    });
    session.token = login.body.access_token!;
    expect((await connect(clientId))[0]).toMatchObject({ successful: false, error: '403::Unknown client' });
  });

  it('posts change events as webhooks only with the relay switch on, keyed by transaction and sequence', async () => {
    session.sandbox.ctx.webhooks.subscribe('http://127.0.0.1:9/unreachable');
    try {
      await changeOpportunity();
      expect(session.sandbox.ctx.webhooks.deliveries().length, 'no webhook while the relay is off').toBe(0);
      const on = await session.call('PUT', '/_sandbox/change-events', { relay: true });
      expect(on.body).toMatchObject({ relay: true });
      await changeOpportunity(2);
      await session.sandbox.ctx.webhooks.drain();
      const [delivery] = session.sandbox.ctx.webhooks.deliveries();
      expect(delivery?.webhookId).toMatch(/^[0-9a-f-]{36}:1$/);
    } finally {
      session.sandbox.ctx.webhooks.unsubscribe();
    }
  });
});
