// Injects the configured faults into vendor requests the way real platforms misbehave:
// outages, throttling, latency, errors, and answers a careless client would choke on.
import type { Request, Response, NextFunction, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { FaultController } from './faults.js';

/** A hung request is let go after this long, so that nothing leaks if the client never gives up. */
export const HANG_CAP_MS = 120_000;
const REDIRECT_HOST = 'https://sandbox-redirect.example.net';
const DRIP_INTERVAL_MS = 1_000;
const DRIP_CAP_MS = 120_000;

export type FaultBody = (status: number, message: string) => unknown;

export const genericFaultBody: FaultBody = (status, message) => ({ error: { status, message, injected: true } });

function sleep(ms: number, res: Response): Promise<boolean> {
  return new Promise((resolve) => {
    if (ms <= 0) return resolve(true);
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    res.once('close', onClose);
  });
}

/** Holds the socket without answering until the client gives up (or the cap passes). */
function hang(req: Request, res: Response): void {
  const timer = setTimeout(() => req.socket.destroy(), HANG_CAP_MS);
  res.once('close', () => clearTimeout(timer));
}

/** Streams `bytes` of syntactically valid JSON, honouring back-pressure so memory stays flat. */
function streamOversized(res: Response, bytes: number): void {
  res.status(200).type('application/json');
  const record = JSON.stringify({ id: '0'.repeat(18), name: 'x'.repeat(200) });
  const chunk = Buffer.from(`${record},`.repeat(Math.ceil(65_536 / (record.length + 1))));
  let sent = 0;
  let closed = false;
  res.once('close', () => (closed = true));
  res.write('{"records":[');
  const pump = () => {
    while (!closed && sent < bytes) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!closed) res.end(`${record}]}`);
  };
  pump();
}

/** Sends headers at once, then a few bytes per second: a client without a body timeout hangs. */
function dripBody(res: Response): void {
  res.status(200).type('application/json');
  res.flushHeaders();
  res.write('{"records":[');
  const started = Date.now();
  const timer = setInterval(() => {
    if (Date.now() - started > DRIP_CAP_MS) {
      clearInterval(timer);
      res.end('0]}');
      return;
    }
    res.write('0,');
  }, DRIP_INTERVAL_MS);
  res.once('close', () => clearInterval(timer));
}

export function faultMiddleware(faults: FaultController, faultBody: FaultBody, log: Logger): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!faults.applies(req.path)) return next();
    const outage = faults.outageSecondsLeft();
    if (outage > 0) {
      log.debug({ path: req.path }, 'sandbox fault: outage');
      return void res.status(503).set('Retry-After', String(outage)).json(faultBody(503, 'Service unavailable (maintenance window).'));
    }
    const retryAfter = faults.takeRateLimit();
    if (retryAfter !== undefined) {
      log.debug({ path: req.path, retryAfter }, 'sandbox fault: rate limited');
      return void res.status(429).set('Retry-After', String(retryAfter)).json(faultBody(429, 'Too many requests.'));
    }
    const s = faults.get();
    // Each kind of fault draws on its own key, so a seeded plan faults the same requests every run.
    const kind = `${req.method} ${req.path}`;
    const roll = (rate: number, fault: string) => faults.roll(rate, `${fault} ${kind}`);
    const delay = s.latencyMs + (s.latencyJitterMs > 0 ? Math.floor(faults.draw(`latency ${kind}`) * s.latencyJitterMs) : 0);
    if (delay > 0 && !(await sleep(delay, res))) return;

    if (roll(s.hangRate, 'hang')) {
      faults.noteInjected('hang', req.method);
      return hang(req, res);
    }
    if (roll(s.errorRate, 'error')) {
      faults.noteInjected('error', req.method);
      return void res.status(s.errorStatus).json(faultBody(s.errorStatus, 'Injected failure.'));
    }
    if (roll(s.redirectRate, 'redirect')) {
      return void res.redirect(302, `${REDIRECT_HOST}${req.originalUrl}`);
    }
    if (roll(s.malformedRate, 'malformed')) {
      // A JSON content type with a body cut off mid-record, like a proxy dropping the connection.
      return void res.status(200).type('application/json').send('{"records":[{"id":"001","name":"Trunc');
    }
    if (roll(s.oversizedRate, 'oversized')) return streamOversized(res, s.oversizedBytes);
    if (roll(s.slowBodyRate, 'slowBody')) return dripBody(res);
    next();
  };
}
