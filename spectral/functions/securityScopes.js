// Every security requirement names a declared scheme, and every scope it lists is one
// the oauth2 scheme declares. (Replaces oas3-operation-security-defined, which does not
// follow a securitySchemes $ref into the shared components.)
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'];

export default function securityScopes(document) {
  const schemes = document?.components?.securitySchemes ?? {};
  const results = [];
  const check = (requirements, path) => {
    if (!Array.isArray(requirements)) return;
    requirements.forEach((requirement, index) => {
      for (const [name, scopes] of Object.entries(requirement ?? {})) {
        const scheme = schemes[name];
        if (!scheme) {
          results.push({
            message: `Security scheme "${name}" is not declared in components.securitySchemes.`,
            path: [...path, index, name],
          });
          continue;
        }
        const known = new Set();
        for (const flow of Object.values(scheme.flows ?? {})) for (const scope of Object.keys(flow?.scopes ?? {})) known.add(scope);
        for (const scope of Array.isArray(scopes) ? scopes : []) {
          if (scheme.type === 'oauth2' && !known.has(scope)) {
            results.push({ message: `Scope "${scope}" is not declared by the "${name}" scheme.`, path: [...path, index, name] });
          }
        }
      }
    });
  };
  check(document?.security, ['security']);
  for (const [route, pathItem] of Object.entries(document?.paths ?? {})) {
    for (const method of METHODS) {
      if (pathItem?.[method]) check(pathItem[method].security, ['paths', route, method, 'security']);
    }
  }
  return results;
}
