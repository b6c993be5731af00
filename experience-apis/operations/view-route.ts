// Serves the operations view. The page itself holds no data and needs no token (the
// operator pastes one into it), so the gateway mounts this router on a public path.
import { Router } from 'express';
import { VIEW_CSP, VIEW_HTML } from './view-page.js';

export const OPERATIONS_VIEW_PATH = '/operations';

export function operationsViewRouter(): Router {
  const router = Router();
  router.get(OPERATIONS_VIEW_PATH, (req, res) => {
    req.routeTemplate = OPERATIONS_VIEW_PATH;
    res.setHeader('Content-Security-Policy', VIEW_CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(VIEW_HTML);
  });
  return router;
}
