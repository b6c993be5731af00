// Starting the sandboxes together: fixture definitions, a missing platform module,
// the four real platforms, and the `npm run sandbox` command.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { pino } from 'pino';
import { loadSandboxDefinition, SANDBOX_PLATFORMS, startSandboxes } from './index.js';
import { fixtureSandbox } from '../test/support/fixture-sandbox.js';

async function health(url: string): Promise<{ status: number; body: unknown }> {
  const res = await request(`${url}/_sandbox/health`);
  return { status: res.statusCode, body: await res.body.json() };
}

let hooks: Server;
let hookUrl: string;
const received: string[] = [];
beforeAll(async () => {
  hooks = createServer((req, res) => {
    received.push(String(req.headers['webhook-id']));
    req.resume();
    res.statusCode = 204;
    res.end();
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hooks`;
});
afterAll(() => new Promise((r) => hooks.close(r)));

describe('startSandboxes', () => {
  it('starts the given definitions on loopback with webhook targets, and closes them', async () => {
    const running = await startSandboxes({
      platforms: ['crm', 'erp'],
      definitions: { crm: fixtureSandbox, erp: { ...fixtureSandbox, platform: 'erp' } },
      webhookTargets: { crm: { url: hookUrl } },
    });
    expect(Object.keys(running.urls).sort()).toEqual(['crm', 'erp']);
    expect(running.urls.crm).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await health(running.urls.erp!)).body).toMatchObject({ status: 'ok', platform: 'erp' });
    const id = running.sandboxes.crm!.sandbox.ctx.webhooks.send('item.created', { id: 1 });
    await running.sandboxes.crm!.sandbox.ctx.webhooks.drain();
    expect(received).toContain(id);
    await running.close();
    await expect(request(`${running.urls.crm}/_sandbox/health`)).rejects.toThrow();
  });

  it('skips a platform whose module does not exist, saying so', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const importer = (specifier: string) => import(`./__absent__/${specifier.slice(2)}`) as Promise<Record<string, unknown>>;
    expect(await loadSandboxDefinition('time', logger, importer)).toBeUndefined();
    expect(lines.join('')).toContain('sandboxes/time/index.ts does not exist yet');
    const running = await startSandboxes({ platforms: ['time', 'crm'], definitions: { crm: fixtureSandbox }, importer, logger });
    expect(running.missing).toEqual(['time']);
    expect(Object.keys(running.urls)).toEqual(['crm']);
    await running.close();
  });

  it('rethrows an import failure that is not a missing platform module', async () => {
    const broken = async () => {
      throw new SyntaxError('Unexpected token in sandboxes/time/seed.ts');
    };
    await expect(loadSandboxDefinition('time', pino({ level: 'silent' }), broken)).rejects.toThrow(SyntaxError);
  });

  it('starts all four platform sandboxes with the small seed', async () => {
    const running = await startSandboxes({ seed: 'small' });
    try {
      expect(running.missing).toEqual([]);
      for (const platform of SANDBOX_PLATFORMS) {
        expect(await health(running.urls[platform]!), platform).toEqual({ status: 200, body: { status: 'ok', platform, seed: 'small' } });
      }
    } finally {
      await running.close();
    }
  });
});

describe('npm run sandbox', () => {
  it('prints the URL and the fault API, and serves the platform', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sandboxes/main.ts', 'scheduling', '--port', '0', '--seed', 'small'], {
      env: { ...process.env, LOG_LEVEL: 'silent', NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
          if (m && out.includes('_sandbox/faults')) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${out}`)));
      });
      expect(out).toContain(`curl -X PUT ${url}/_sandbox/faults`);
      expect((await health(url)).body).toMatchObject({ platform: 'scheduling' });
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses an unknown platform with usage', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sandboxes/main.ts', 'billing'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(err).toContain('Unknown platform "billing"');
    expect(err).toContain('Usage: npm run sandbox');
  });
});
