// Serves the operations console: its HTML shell at /operations and its script and style sheet
// under /operations/assets/, all from this origin. The page holds no data and needs no token (the
// operator pastes one into it), so the gateway serves these paths without authentication.
import { Router, type Response } from 'express';
import type { Logger } from '../../core/observability/logger.js';
import { consoleAssets } from './console/assets.js';

export const OPERATIONS_VIEW_PATH = '/operations';
export const CONSOLE_SCRIPT_PATH = '/operations/assets/console.js';
export const CONSOLE_STYLE_PATH = '/operations/assets/console.css';

/** Scripts and styles from this origin only (no inline code at all), calls to this origin only. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function send(res: Response, type: string, body: string, cache: string): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('Cache-Control', cache);
  res.type(type).send(body);
}

/** `logger` hears once how the console's files were prepared (read from the build or bundled), or why not. */
export function operationsViewRouter(logger?: Logger): Router {
  const router = Router();
  const files = () => consoleAssets(logger);
  router.get(OPERATIONS_VIEW_PATH, async (req, res) => {
    req.routeTemplate = OPERATIONS_VIEW_PATH;
    send(res, 'text/html; charset=utf-8', (await files()).html, 'no-store');
  });
  // Revalidated on every load (ETag), so a new release is picked up at once; the shell's
  // integrity attributes would refuse a stale copy anyway.
  router.get(CONSOLE_SCRIPT_PATH, async (req, res) => {
    req.routeTemplate = CONSOLE_SCRIPT_PATH;
    send(res, 'text/javascript; charset=utf-8', (await files()).js, 'no-cache');
  });
  router.get(CONSOLE_STYLE_PATH, async (req, res) => {
    req.routeTemplate = CONSOLE_STYLE_PATH;
    send(res, 'text/css; charset=utf-8', (await files()).css, 'no-cache');
  });
  return router;
}
