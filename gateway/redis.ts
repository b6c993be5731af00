// The gateway's Redis connection (node-redis), shared by the rate limiters and /readyz.
// Commands fail fast instead of queueing while disconnected, and each has a timeout, so
// a Redis outage never makes a request hang; connection errors are logged, not thrown.
import { createClient } from 'redis';
import type { Logger } from '../core/observability/logger.js';

export interface GatewayRedis {
  command(args: string[]): Promise<never>;
  ping(): Promise<void>;
  /** Resolves true once connected, or false after `ms` without a connection (never rejects). */
  connected(ms: number): Promise<boolean>;
  close(): Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis ${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function connectRedis(url: string, commandTimeoutMs: number, logger: Logger): GatewayRedis {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: Math.max(commandTimeoutMs, 1000),
      // Keep trying, backing off to 5 s; requests fail open meanwhile.
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5000),
    },
  });
  let lastErrorLog = 0;
  client.on('error', (err: Error) => {
    // Every reconnect attempt emits an error; log at most one a minute.
    const now = Date.now();
    if (now - lastErrorLog > 60_000) {
      lastErrorLog = now;
      logger.error({ err: err.message }, 'Redis connection error');
    }
  });
  const firstConnect = client.connect().then(
    () => true,
    (err: Error) => {
      logger.error({ err: err.message }, 'Redis connection failed');
      return false;
    },
  );
  return {
    // rate-limit-redis's reply type is loose; node-redis returns the raw RESP reply.
    command: (args) => withTimeout(client.sendCommand(args), commandTimeoutMs, args[0] ?? 'command') as Promise<never>,
    async ping() {
      await withTimeout(client.ping(), commandTimeoutMs, 'PING');
    },
    connected(ms) {
      if (client.isReady) return Promise.resolve(true);
      return withTimeout(firstConnect, ms, 'connect').then(
        () => client.isReady,
        () => false,
      );
    },
    async close() {
      if (client.isOpen) await client.close();
      else client.destroy();
    },
  };
}
