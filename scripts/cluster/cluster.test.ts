// The cluster script's checks before it starts anything: PostgreSQL and Redis are required, and
// deploy/haproxy.cfg gets one server line per replica (valid for haproxy itself when installed).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterConfigError, requireSharedServices } from './cluster.js';
import { findHaproxy, HAPROXY_TEMPLATE, renderHaproxyConfig } from './haproxy.js';

describe('npm run cluster', () => {
  it('refuses SQLite, a missing store and a missing Redis, saying what replicas need', () => {
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(() => requireSharedServices({ ...redis, DATABASE_URL: 'sqlite:var/layer.db' }), 'SQLite').toThrow(
      /SQLite is a file for one process/,
    );
    expect(() => requireSharedServices(redis), 'no DATABASE_URL').toThrow(/DATABASE_URL is not set: replicas need one PostgreSQL/);
    expect(() => requireSharedServices({ DATABASE_URL: 'postgres://u@db/layer' }), 'no REDIS_URL').toThrow(ClusterConfigError);
    expect(requireSharedServices({ ...redis, DATABASE_URL: 'postgres://u@db/layer' }), 'both shared services').toEqual({
      databaseUrl: 'postgres://u@db/layer',
      redisUrl: 'redis://127.0.0.1:6379',
    });
  });

  it('renders one server line per replica between the markers of deploy/haproxy.cfg', () => {
    const template = readFileSync(HAPROXY_TEMPLATE, 'utf8');
    const servers = (cfg: string) => cfg.split('\n').filter((l) => /^\s+server /.test(l));
    expect(servers(template), 'server lines as shipped').toHaveLength(3);
    const five = renderHaproxyConfig(template, 5);
    expect(
      servers(five).map((l) => l.trim()),
      'server lines for five replicas',
    ).toEqual([1, 2, 3, 4, 5].map((i) => `server replica${i} "\${LAYER_REPLICA_${i}}"`));
    expect(renderHaproxyConfig(five, 2), 'rendering again for two replicas').toBe(renderHaproxyConfig(template, 2));
    expect(() => renderHaproxyConfig('global\n', 2), 'a file without the markers').toThrow(/markers/);
  });

  it.skipIf(!findHaproxy())('gives haproxy a configuration it accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haproxy-cfg-'));
    try {
      const cfg = join(dir, 'haproxy.cfg');
      writeFileSync(cfg, renderHaproxyConfig(readFileSync(HAPROXY_TEMPLATE, 'utf8'), 4));
      const env = { ...process.env, LAYER_REPLICA_4: '127.0.0.1:8084' };
      const check = spawnSync(findHaproxy()!, ['-c', '-f', cfg], { env, encoding: 'utf8' });
      expect(check.status, `haproxy -c: ${check.stderr}`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
