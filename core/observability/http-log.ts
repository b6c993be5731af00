// One log line and one metric observation per request, when the response is finished.
// The line carries ids, consumer, method, route template, status and duration, and never
// a header (so never the Authorization header) nor the raw URL with its query string.
import type { Request, RequestHandler } from 'express';
import type { Logger } from './logger.js';
import type { HttpMetrics } from './metrics.js';
import { routeTemplate } from './route.js';

export const ANONYMOUS_CONSUMER = 'anonymous';

const BASE_LOGGER = Symbol('base logger');
const REQUEST_LOGGER = Symbol('request logger');
type WithLoggers = Request & { [BASE_LOGGER]?: Logger; [REQUEST_LOGGER]?: Logger };
const prototypesWithLog = new WeakSet<object>();

/**
 * `req.log` as one accessor on the requests' prototype, made once per application: defining it
 * on each request cost about 2 µs and left every request object in V8's slow dictionary mode.
 * The request's child logger is made on first use: most requests log only the access line.
 * (The gateway is one Express application; a sub-application mounted in it would swap the
 * prototype and would need the accessor too.)
 */
function lazyRequestLogger(req: Request, logger: Logger): void {
  (req as WithLoggers)[BASE_LOGGER] = logger;
  const proto = Object.getPrototypeOf(req) as object;
  if (prototypesWithLog.has(proto)) return;
  prototypesWithLog.add(proto);
  Object.defineProperty(proto, 'log', {
    configurable: true,
    enumerable: false,
    get(this: WithLoggers) {
      return (this[REQUEST_LOGGER] ??= this[BASE_LOGGER]?.child({ requestId: this.requestId, traceId: this.trace.traceId }));
    },
    set(this: WithLoggers, value: Logger) {
      this[REQUEST_LOGGER] = value;
    },
  });
}

export function requestObserver(logger: Logger, metrics: HttpMetrics): RequestHandler {
  // The access line's fields are fixed and hold no secret, so it skips the redaction pass that
  // every other line goes through (about half the cost of writing it).
  const access = logger.child({}, { redact: { paths: [] } });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    lazyRequestLogger(req, logger);
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeTemplate(req);
      const consumer = req.auth?.consumer ?? ANONYMOUS_CONSUMER;
      const status = res.statusCode;
      const labels = { method: req.method, route, status: String(status), consumer };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, seconds);
      if (status < 500 && !access.isLevelEnabled('info')) return;
      const line = {
        requestId: req.requestId,
        traceId: req.trace.traceId,
        consumer,
        method: req.method,
        route,
        status,
        durationMs: Math.round(seconds * 1e4) / 10,
      };
      if (status >= 500) logger.error(line, 'request failed');
      else access.info(line, 'request');
    });
    next();
  };
}
