// For the CRM sandbox's own tests: the sandbox on port 0, reset to the small seed with a fresh
// session before each test, and raw HTTP calls to it that return status, headers and JSON.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { request } from 'undici';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { crmSandbox, type CrmState } from '../../sandboxes/crm/index.js';

export interface CrmTestSession {
  sandbox: SandboxApp<CrmState>;
  running: RunningSandbox;
  token: string;
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary vendor JSON
  fetchToken(form: Record<string, string>): Promise<{ status: number; body: Record<string, string> }>;
}

/** Registers the hooks and returns the session; its fields are set once beforeAll has run. */
export function useCrmSandbox(): CrmTestSession {
  const session = {
    async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await request(`${session.running.url}${path}`, {
        method: method as 'GET',
        headers: {
          authorization: `Bearer ${session.token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      const json = /json/.test(String(res.headers['content-type'])) && text ? JSON.parse(text) : text || undefined;
      return { status: res.statusCode, headers: res.headers, body: json };
    },
    async fetchToken(form: Record<string, string>) {
      const res = await request(`${session.running.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, string> };
    },
  } as CrmTestSession;
  beforeAll(async () => {
    session.sandbox = createSandboxApp(crmSandbox);
    session.running = await listen(session.sandbox.app);
  });
  afterAll(() => session.running.close());
  beforeEach(async () => {
    session.sandbox.reset('small');
    const t = await session.fetchToken({
      grant_type: 'client_credentials',
      client_id: 'sandbox-crm-client',
      client_secret: 'sandbox-crm-secret',
    });
    session.token = t.body.access_token;
  });
  return session;
}
