// One log line and one metric observation per request, when the response is finished.
// The line carries ids, consumer, method, route template, status and duration, and never
// a header (so never the Authorization header) nor the raw URL with its query string.
import type { RequestHandler } from 'express';
import type { Logger } from './logger.js';
import type { HttpMetrics } from './metrics.js';
import { routeTemplate } from './route.js';

export const ANONYMOUS_CONSUMER = 'anonymous';

export function requestObserver(logger: Logger, metrics: HttpMetrics): RequestHandler {
  // The access line's fields are fixed and hold no secret, so it skips the redaction pass that
  // every other line goes through (about half the cost of writing it).
  const access = logger.child({}, { redact: { paths: [] } });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // The child logger is made on first use: most requests log only the line below.
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: false,
      get: () => (child ??= logger.child({ requestId: req.requestId, traceId: req.trace.traceId })),
      set: (value: Logger) => {
        child = value;
      },
    });
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
