// What the composition root starts besides the APIs: the outbox's event dispatcher delivers
// business events to webhook subscriptions, and the workflow engine and the dispatcher report
// into the gateway's /metrics.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubscription, emit } from '../../core/events/index.js';
import { bearer, makeKey, startGateway, startJwks, token, type SigningKey, type TestGateway, type TestJwks } from './support.js';

describe('composition', () => {
  let key: SigningKey;
  let jwks: TestJwks;
  let gateway: TestGateway;
  let receiver: Server;
  const received: Array<{ headers: Record<string, unknown>; body: string }> = [];
  let delivered: () => void;
  const firstDelivery = new Promise<void>((resolve) => (delivered = resolve));

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
        delivered();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    key = await makeKey();
    jwks = await startJwks([key]);
    gateway = await startGateway(jwks.url, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
  });
  afterAll(async () => {
    await gateway?.close();
    await jwks?.close();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('delivers an outbox event to a webhook subscription, signed', { timeout: 30_000 }, async () => {
    const { db } = gateway.layers.infra.store;
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await createSubscription(db, { url, eventTypes: ['com.psconnect.test.*'] }, { allowPrivateUrls: true });
    const event = await emit(db, { type: 'com.psconnect.test.composed', source: '/test/composition', data: { ok: true } });
    await firstDelivery;
    expect(received).toHaveLength(1);
    expect(received[0]!.headers['webhook-id']).toBe(event.id);
    expect(String(received[0]!.headers['webhook-signature'])).toMatch(/^v1,/);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ id: event.id, type: 'com.psconnect.test.composed', data: { ok: true } });
  });

  it("exposes the workflow engine's and the event dispatcher's counters on /metrics", async () => {
    const res = await fetch(`${gateway.url}/metrics`, { headers: bearer(await token({ key, scope: 'ops:read' })) });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('# TYPE layer_workflow_runs_finished_total counter');
    expect(text).toContain('# TYPE layer_workflow_dead_letters_total counter');
    expect(text).toMatch(/layer_events_delivered_total\{subscriber="webhook:[^"]+"\} 1/);
  });
});
