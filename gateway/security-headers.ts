// Security headers (helmet's defaults, without upgrade-insecure-requests) worked out once at
// start-up and set from a list on each request: helmet runs a dozen middlewares per request
// to produce the same constant headers every time.
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/** The headers helmet would set for these options, by running it once against a recording response. */
export function helmetHeaders(options: Parameters<typeof helmet>[0]): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => void headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let done = false;
  helmet(options)({} as Request, recorder as unknown as Response, () => {
    done = true;
  });
  // With constant options helmet finishes synchronously; if it ever did not, the list would be short.
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be precomputed');
  return headers;
}

export function securityHeaders(): RequestHandler {
  // No upgrade-insecure-requests: the docs are served over plain http on a developer's machine,
  // where upgrading their links to https would break them; TLS is the proxy's job.
  const headers = helmetHeaders({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
