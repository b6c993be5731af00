// Inbound webhooks through real HTTP: verified over the raw body, recorded by webhook-id,
// processed once; duplicates are a no-op 200; bad signatures are a 401 problem, recorded.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { generateWebhookSecret, signWebhook } from '../events/signature.js';
import { PROBLEM_CONTENT_TYPE, toProblemResponse } from '../problems.js';
import type { Store } from '../store/index.js';
import { InboxProcessor, inboxRouter, listRejections, requeueInboxMessage, type InboxMessage } from './index.js';

const secret = generateWebhookSecret();
const oldSecret = generateWebhookSecret();

function signed(body: string, id: string, opts: { secret?: string; at?: number; extraSignatures?: string[] } = {}) {
  const ts = Math.floor((opts.at ?? Date.now()) / 1000);
  const sig = signWebhook(opts.secret ?? secret, id, ts, body);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': [...(opts.extraSignatures ?? []), sig].join(' '),
  };
}

describe.each(testEngines())('inbox on $name', (engine) => {
  let store: Store;
  let server: Server;
  let base: string;
  let handled: InboxMessage[];
  let failNext: number;
  let processor: InboxProcessor;

  beforeEach(async () => {
    store = await migratedStore(engine);
    handled = [];
    failNext = 0;
    processor = new InboxProcessor({
      store,
      backoff: { baseDelayMs: 1, maxDelayMs: 1 },
      maxAttempts: 3,
      onEvent: async (message) => {
        if (failNext > 0) {
          failNext--;
          throw new Error('downstream unavailable');
        }
        handled.push(message);
      },
    });
    const app = express();
    app.use('/webhooks', inboxRouter({ store, sources: { crm: { secret, previousSecrets: [oldSecret] } }, processor }));
    app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
      const problem = toProblemResponse(err, { instance: req.originalUrl });
      res.status(problem.status).set(problem.headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem.body));
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    await store.close();
  });
  afterAll(() => engine.cleanup());

  const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${base}${path}`, { method: 'POST', body, headers });

  it('records a valid webhook, processes it once, and answers a duplicate with 200 and no work', async () => {
    const body = JSON.stringify({ type: 'opportunity.closed_won', id: 'opp-1' });
    const first = await post('/webhooks/crm', body, signed(body, 'msg_1'));
    expect(first.status).toBe(202);
    await processor.drain();
    const again = await post('/webhooks/crm', body, signed(body, 'msg_1'));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ webhookId: 'msg_1', status: 'duplicate' });
    await processor.drain();
    expect(handled).toHaveLength(1);
    expect(handled[0]).toMatchObject({ source: 'crm', webhookId: 'msg_1', payload: { id: 'opp-1' }, attempt: 1 });
    const row = await store.db.selectFrom('inbox_messages').selectAll().executeTakeFirstOrThrow();
    expect(row.state).toBe('processed');
  });

  it('verifies the exact raw bytes: re-serialised JSON does not pass', async () => {
    const body = '{"a":1,  "b":2}';
    const headers = signed(body, 'msg_raw');
    expect((await post('/webhooks/crm', body, headers)).status).toBe(202);
    const reformatted = await post('/webhooks/crm', JSON.stringify(JSON.parse(body)), { ...headers, 'webhook-id': 'msg_raw' });
    // Same id, different bytes: the signature fails before the id is even looked up.
    expect(reformatted.status).toBe(401);
  });

  it('rejects a bad signature with a 401 problem, records it and processes nothing', async () => {
    const body = JSON.stringify({ id: 'opp-2' });
    const res = await post('/webhooks/crm', body, signed(body, 'msg_bad', { secret: generateWebhookSecret() }));
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 401, type: '/problems/invalid-signature', reason: 'bad-signature' });
    await processor.drain();
    expect(handled).toHaveLength(0);
    expect(await store.db.selectFrom('inbox_messages').selectAll().execute()).toHaveLength(0);
    const rejections = await listRejections(store.db, { source: 'crm' });
    expect(rejections).toMatchObject([{ webhookId: 'msg_bad', reason: 'bad-signature' }]);
  });

  it('rejects a timestamp more than five minutes off, either way', async () => {
    const body = '{}';
    for (const at of [Date.now() - 6 * 60_000, Date.now() + 6 * 60_000]) {
      const res = await post('/webhooks/crm', body, signed(body, `msg_${at}`, { at }));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ reason: 'stale-timestamp' });
    }
    const ok = await post('/webhooks/crm', body, signed(body, 'msg_fresh', { at: Date.now() - 4 * 60_000 }));
    expect(ok.status).toBe(202);
  });

  it('accepts any one of several signatures, and the previous secret during rotation', async () => {
    const body = '{"n":1}';
    const withJunk = signed(body, 'msg_multi', { extraSignatures: ['v1,AAAA', 'v2,whatever'] });
    expect((await post('/webhooks/crm', body, withJunk)).status).toBe(202);
    expect((await post('/webhooks/crm', body, signed(body, 'msg_old', { secret: oldSecret }))).status).toBe(202);
  });

  it('answers missing headers with 401 and an unknown source with 404', async () => {
    const res = await post('/webhooks/crm', '{}', { 'content-type': 'application/json' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ reason: 'missing-headers' });
    const unknown = await post('/webhooks/nope', '{}', signed('{}', 'x'));
    expect(unknown.status).toBe(404);
  });

  it('retries a failing handler and ends in failed after the last attempt; requeue brings it back', async () => {
    failNext = 5;
    const body = '{"x":1}';
    expect((await post('/webhooks/crm', body, signed(body, 'msg_retry'))).status).toBe(202);
    for (let i = 0; i < 5; i++) {
      await processor.drain();
      // Stays: lets the 1 ms retry backoff fall due before the next drain (a time window).
      await new Promise((r) => setTimeout(r, 5));
    }
    let row = await store.db.selectFrom('inbox_messages').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'failed', last_error: 'downstream unavailable' });
    expect(Number(row.attempts)).toBe(3);
    failNext = 0;
    await requeueInboxMessage(store.db, 'crm', 'msg_retry');
    await processor.drain();
    row = await store.db.selectFrom('inbox_messages').selectAll().executeTakeFirstOrThrow();
    expect(row.state).toBe('processed');
    expect(handled).toHaveLength(1);
  });

  it('rolls back what the handler wrote in its transaction when it fails', async () => {
    await store.db.schema.createTable('t_inbox_effects').addColumn('id', 'text').execute();
    const effects = new InboxProcessor({
      store,
      backoff: { baseDelayMs: 1, maxDelayMs: 1 },
      onEvent: async (m, { trx }) => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table that exists only in this test
        await (trx as any).insertInto('t_inbox_effects').values({ id: m.webhookId }).execute();
        if (m.attempt === 1) throw new Error('fail after writing');
      },
    });
    const body = '{}';
    expect((await post('/webhooks/crm', body, signed(body, 'msg_tx'))).status).toBe(202);
    await effects.drain();
    // Stays: lets the retry backoff fall due before the second drain (a time window).
    await new Promise((r) => setTimeout(r, 5));
    await effects.drain();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    const rows = await (store.db as any).selectFrom('t_inbox_effects').selectAll().execute();
    expect(rows).toEqual([{ id: 'msg_tx' }]);
  });

  it('with only onEvent given, processes a new message by a direct call after answering', async () => {
    const direct: string[] = [];
    const app = express();
    app.use('/hooks', inboxRouter({ store, sources: { erp: { secret } }, onEvent: async (m) => void direct.push(m.webhookId) }));
    const other = app.listen(0, '127.0.0.1');
    await new Promise((r) => other.once('listening', r));
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}/hooks/erp`;
    const body = '{"invoice":"INV-1"}';
    expect((await fetch(url, { method: 'POST', body, headers: signed(body, 'msg_direct') })).status).toBe(202);
    for (let i = 0; i < 200 && direct.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => other.close(r));
    expect(direct).toEqual(['msg_direct']);
  });

  it('answers an oversized body with a 413 problem', async () => {
    const body = 'x'.repeat(1024 * 1024 + 1);
    const res = await post('/webhooks/crm', body, signed(body, 'msg_big'));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ type: '/problems/payload-too-large', status: 413 });
  });
});
