// Webhook delivery through real HTTP: signatures checked independently of the sender,
// retries, and the duplicate and reorder faults.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createSandboxApp, listen, type RunningSandbox } from './index.js';
import { fixtureSandbox, type FixtureState } from '../../test/support/fixture-sandbox.js';
import type { SandboxApp } from './app.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let received: Received[] = [];
/** Status codes the receiver answers with, in order (with an optional Retry-After); 204 once exhausted. */
let script: Array<number | [number, string]> = [];
let receiver: Server;
let receiverUrl: string;
let sandbox: SandboxApp<FixtureState>;
let running: RunningSandbox;

/** Standard Webhooks verification written from the spec, not with the sender's helper. */
function verify(r: Received, secret: string): boolean {
  const id = String(r.headers['webhook-id']);
  const ts = String(r.headers['webhook-timestamp']);
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${r.body}`).digest();
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((sig) => {
      const [version, b64] = sig.split(',');
      const given = Buffer.from(b64 ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

async function createItem(name: string) {
  const res = await request(`${running.url}/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  expect(res.statusCode).toBe(201);
  await res.body.dump();
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      const next = req.url?.includes('gone=1') ? 410 : (script.shift() ?? 204);
      const [status, retryAfter] = Array.isArray(next) ? next : [next, undefined];
      res.statusCode = status;
      if (retryAfter) res.setHeader('retry-after', retryAfter);
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  sandbox = createSandboxApp(fixtureSandbox, { webhookSecret: SECRET });
  running = await listen(sandbox.app);
  const sub = await request(`${running.url}/_sandbox/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiverUrl }),
  });
  expect(sub.statusCode).toBe(201);
  await sub.body.dump();
});
afterAll(async () => {
  await running.close();
  await new Promise((r) => receiver.close(r));
});
afterEach(() => {
  received = [];
  script = [];
  sandbox.ctx.faults.clear();
});

describe('sandbox webhooks', () => {
  it('signs each delivery per Standard Webhooks', async () => {
    await createItem('Signed');
    await sandbox.ctx.webhooks.drain();
    expect(received).toHaveLength(1);
    const [hit] = received;
    expect(hit.headers['content-type']).toBe('application/json');
    expect(String(hit.headers['webhook-id'])).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(JSON.parse(hit.body)).toMatchObject({ item: { name: 'Signed' } });
    expect(verify(hit, SECRET)).toBe(true);
    expect(verify({ ...hit, body: hit.body.replace('Signed', 'Forged') }, SECRET)).toBe(false);
    expect(verify(hit, 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
  });

  it('signs with a per-subscriber secret when one was registered', async () => {
    const own = 'whsec_b3duLXN1YnNjcmliZXItc2VjcmV0';
    sandbox.ctx.webhooks.subscribe(`${receiverUrl}?own=1`, own);
    await createItem('Two subscribers');
    await sandbox.ctx.webhooks.drain();
    sandbox.ctx.webhooks.unsubscribe(`${receiverUrl}?own=1`);
    expect(received).toHaveLength(2);
    expect(received.filter((r) => verify(r, own))).toHaveLength(1);
    expect(received.filter((r) => verify(r, SECRET))).toHaveLength(1);
  });

  it('retries a 5xx answer with the same webhook id until it succeeds', async () => {
    script = [500, 503];
    await createItem('Retried');
    await sandbox.ctx.webhooks.drain();
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(received.every((r) => verify(r, SECRET))).toBe(true);
    const log = await request(`${running.url}/_sandbox/webhooks`);
    const { deliveries } = (await log.body.json()) as { deliveries: Array<{ attempts: number; delivered: boolean; status: number }> };
    expect(deliveries.at(-1)).toMatchObject({ attempts: 3, delivered: true, status: 204 });
  });

  it('honours Retry-After on a 429 before trying again', async () => {
    script = [[429, '1']];
    await createItem('Throttled');
    await sandbox.ctx.webhooks.drain();
    expect(received).toHaveLength(2);
    const [first, second] = received.map((r) => Number(r.headers['webhook-timestamp']));
    expect(second).toBeGreaterThan(first); // re-signed for the retry, a second or more later
  });

  it('forgets a subscriber that answers 410 Gone', async () => {
    const goneUrl = `${receiverUrl}?gone=1`;
    sandbox.ctx.webhooks.subscribe(goneUrl);
    sandbox.ctx.webhooks.send('item.created', { n: 1 });
    await sandbox.ctx.webhooks.drain();
    expect(sandbox.ctx.webhooks.subscriptions().map((s) => s.url)).toEqual([receiverUrl]);
    expect(received).toHaveLength(2);
  });

  it('does not retry a 4xx answer', async () => {
    script = [400];
    await createItem('Refused');
    await sandbox.ctx.webhooks.drain();
    expect(received).toHaveLength(1);
  });

  it('duplicates a delivery with the same webhook id when the fault is on', async () => {
    sandbox.ctx.faults.set({ webhookDuplicateRate: 1 });
    await createItem('Twice');
    await sandbox.ctx.webhooks.drain();
    expect(received).toHaveLength(2);
    expect(received[0].headers['webhook-id']).toBe(received[1].headers['webhook-id']);
    expect(received[0].body).toBe(received[1].body);
    expect(received.every((r) => verify(r, SECRET))).toBe(true);
  });

  it('delivers a batch out of order when the fault is on, and in order otherwise', async () => {
    const sendBatch = () => ['a', 'b', 'c'].map((n) => sandbox.ctx.webhooks.send('item.created', { item: { name: n } }));
    const inOrder = sendBatch();
    await sandbox.ctx.webhooks.drain();
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(inOrder);
    received = [];
    sandbox.ctx.faults.set({ webhookReorder: true });
    const sent = sendBatch();
    await sandbox.ctx.webhooks.drain();
    expect(received.map((r) => r.headers['webhook-id'])).toEqual([...sent].reverse());
  });
});
