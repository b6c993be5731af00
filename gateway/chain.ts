// Runs the pipeline's fixed, path-independent stages as one Express layer. Each router layer
// costs a path match, params and prefix bookkeeping per request; between stages that apply to
// every path none of that does anything. Errors behave as in the router: a throw, a rejected
// promise or next(err) skips the remaining stages and goes to the error handlers.
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export function chain(handlers: RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, done: NextFunction) => {
    let index = 0;
    const next = (err?: unknown): void => {
      if (err) {
        done(err);
        return;
      }
      const handler = handlers[index++];
      if (!handler) {
        done();
        return;
      }
      try {
        const ret: unknown = handler(req, res, next);
        if (ret instanceof Promise) ret.then(undefined, (error: unknown) => done(error ?? new Error('Rejected promise')));
      } catch (error) {
        done(error);
      }
    };
    next();
  };
}
