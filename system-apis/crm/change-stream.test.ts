// The CRM change stream against the CRM sandbox when the server side goes wrong: the Bayeux
// client forgotten (a new session, nothing lost) and the session token revoked (a new token,
// then a new session), and a stop that answers the held poll at once.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCursor } from '../../core/change-capture/index.js';
import type { Store } from '../../core/store/index.js';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { crmSandbox, type CrmState } from '../../sandboxes/crm/index.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { waitFor } from '../../test/support/wait-for.js';
import { CrmChangeStream } from './change-stream.js';
import { promCrmChangeStreamMetrics } from './change-stream-metrics.js';
import { CometdClient } from './cometd.js';
import { CrmConnector } from './connector.js';

const [engine] = testEngines();

describe('CRM change stream: sessions the CRM ends', () => {
  let sandbox: SandboxApp<CrmState>;
  let running: RunningSandbox;
  let store: Store;
  let connector: CrmConnector;
  let cometd: CometdClient;
  let stream: CrmChangeStream;
  const registry = new Registry();

  beforeAll(async () => {
    sandbox = createSandboxApp(crmSandbox);
    running = await listen(sandbox.app);
    store = await migratedStore(engine!);
    connector = new CrmConnector({
      baseUrl: running.url,
      apiVersion: 'v62.0',
      clientId: 'sandbox-crm-client',
      clientSecret: 'sandbox-crm-secret',
      timeoutMs: 5_000,
    });
    cometd = new CometdClient({ baseUrl: running.url, apiVersion: 'v62.0', authorize: (f) => connector.authorize(f), longPollMs: 110_000 });
    stream = new CrmChangeStream({ cometd, store, channel: '/data/OpportunityChangeEvent', reconnect: { baseMs: 10, capMs: 50 } });
    stream.start({ metrics: promCrmChangeStreamMetrics(registry) });
    await waitFor(() => stream.connected, { what: 'the stream to subscribe' });
  });
  afterAll(async () => {
    await stream.stop();
    await cometd.close();
    await connector.close();
    await store.close();
    await running.close();
  });

  const opportunityIds = () => [...sandbox.ctx.state().records.Opportunity.keys()];
  let edits = 0;
  const change = (id: string) => connector.update('Opportunity', id, { Description: `edit ${++edits}` });
  const stored = async () => (await readCursor<{ replayId: number }>(store.db, stream.stream))?.position.replayId;
  const recordedUpToLatest = () =>
    waitFor(stored, { until: (id) => id === sandbox.ctx.state().eventBus.latest(), what: 'the latest event to be recorded' });

  it('records events, then starts a new session when the CRM forgets the client, missing nothing', async () => {
    await change(opportunityIds()[0]!);
    await recordedUpToLatest();
    // The server forgets every client; the held poll ends and the next one is refused.
    const clients = sandbox.ctx.state().bayeuxClients;
    for (const client of clients.values()) client.release?.();
    clients.clear();
    await change(opportunityIds()[1]!);
    await recordedUpToLatest();
    expect(stream.connected, 'subscribed again').toBe(true);
    const inbox = await store.db.selectFrom('inbox_messages').select('webhook_id').where('source', '=', 'crm').execute();
    expect(inbox, 'one inbox message per change').toHaveLength(2);
  });

  it('fetches a new token when the CRM calls the session invalid, and carries on', async () => {
    sandbox.ctx.state().tokens.clear();
    for (const client of sandbox.ctx.state().bayeuxClients.values()) client.release?.();
    await change(opportunityIds()[2]!);
    await recordedUpToLatest();
    const connected = (await registry.getSingleMetric('layer_crm_change_stream_connected')!.get()).values;
    expect(connected[0]?.value, 'the connection gauge').toBe(1);
  });

  it('stops with a disconnect that answers the held poll', async () => {
    await stream.stop(60_000);
    expect(stream.connected).toBe(false);
    const held = [...sandbox.ctx.state().bayeuxClients.values()].filter((c) => c.release);
    expect(held, 'no poll left held on the CRM').toHaveLength(0);
  });
});
