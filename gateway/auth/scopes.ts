// Scope check from the operation's `security` requirement in its contract, after request
// validation has matched the operation. Requirements are OR'ed; the schemes within one
// requirement are AND'ed. An explicit `security: []` needs no scope (the token, if the path
// is not public, was already required); an operation with no requirement declared at all,
// neither on itself nor on the document, is refused: deny by default.
import type { RequestHandler } from 'express';
import { ProblemError } from '../../core/problems.js';
import { insufficientScope, missingToken } from './errors.js';

type SecurityRequirement = Record<string, string[]>;

interface OpenApiOperationInfo {
  openapi?: { schema?: { security?: SecurityRequirement[] } };
}

export function checkOperationScopes(documentSecurity: SecurityRequirement[] | undefined): RequestHandler {
  return (req, _res, next) => {
    const operation = (req as typeof req & OpenApiOperationInfo).openapi?.schema;
    if (!operation) return next(); // not an operation of this contract: the 404/405 comes from validation
    const requirements = operation.security ?? documentSecurity;
    if (requirements && requirements.length === 0) return next();
    if (!requirements) {
      throw new ProblemError('forbidden', { detail: 'This operation declares no security requirement, so it is refused.' });
    }
    const scopes = req.auth?.scopes;
    if (!scopes) throw missingToken();
    const satisfied = requirements.some((requirement) =>
      Object.values(requirement).every((needed) => (needed ?? []).every((s) => scopes.has(s))),
    );
    if (satisfied) return next();
    // Name the first requirement's scopes: that is what the caller most likely needs.
    const first = requirements[0] ?? {};
    throw insufficientScope(Object.values(first).flat());
  };
}
