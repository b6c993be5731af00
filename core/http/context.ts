// What the gateway attaches to every request, shared by all layers' routes.
import type { Logger } from 'pino';

export interface AuthContext {
  /** The calling consumer: client_id, else azp, else sub. Rate limits and idempotency keys are scoped to it. */
  consumer: string;
  subject?: string;
  scopes: ReadonlySet<string>;
  /** A portal user's canonical client id (the `client_account` claim). */
  clientAccount?: string;
  claims: Record<string, unknown>;
}

export interface TraceContext {
  traceId: string;
  /** This hop's span id, used as parent id on outbound calls. */
  spanId: string;
  flags: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's request type is augmented through its global namespace
  namespace Express {
    interface Request {
      requestId: string;
      trace: TraceContext;
      auth?: AuthContext;
      log: Logger;
    }
  }
}

export {};
