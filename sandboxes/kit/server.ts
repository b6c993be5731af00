// Starts an express app on loopback and stops it without waiting for held connections
// (the hang and slow-body faults keep sockets open on purpose).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';

export interface RunningSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Where `ctx.baseUrl()` finds the listening URL. */
export const BASE_URL_LOCAL = 'sandboxBaseUrl';

export function listen(app: express.Express, opts: { port?: number; host?: string } = {}): Promise<RunningSandbox> {
  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(opts.port ?? 0, host);
    server.once('error', reject);
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
      const url = `http://${shownHost}:${port}`;
      app.locals[BASE_URL_LOCAL] = url;
      let closing: Promise<void> | undefined;
      resolve({
        url,
        port,
        close: () => {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            // Hung and dripping responses would otherwise keep close() waiting for minutes.
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
