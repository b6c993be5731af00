// The route template of a request (e.g. /system/erp/v1/projects/{projectId}) for logs and
// metric labels: never the raw URL, whose ids would explode label cardinality.
import type { Request } from 'express';

interface OpenApiRouteInfo {
  openApiRoute?: string;
}

export const UNMATCHED_ROUTE = 'unmatched';

export function routeTemplate(req: Request): string {
  // Set by express-openapi-validator on contract routes: the contract's own template.
  const openapi = (req as Request & { openapi?: OpenApiRouteInfo }).openapi;
  if (openapi?.openApiRoute) return openapi.openApiRoute;
  // Gateway routes record their template explicitly (see gateway/routes.ts).
  if (req.routeTemplate) return req.routeTemplate;
  return UNMATCHED_ROUTE;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's request type is augmented through its global namespace
  namespace Express {
    interface Request {
      /** Template of the matched gateway route, set by the route itself. */
      routeTemplate?: string;
    }
  }
}
