// Unsafe operations a consumer may retry (POST, PATCH) must declare the Idempotency-Key
// header, unless they say in `x-idempotent-by` why a retry is already harmless
// (e.g. an If-Match precondition). PUT and DELETE are idempotent by HTTP semantics.
const NEEDS_KEY = new Set(['post', 'patch']);

function declaresKey(parameters) {
  return (
    Array.isArray(parameters) &&
    parameters.some((p) => p && p.in === 'header' && typeof p.name === 'string' && p.name.toLowerCase() === 'idempotency-key')
  );
}

export default function idempotencyKey(pathItem, _options, context) {
  if (!pathItem || typeof pathItem !== 'object') return [];
  const results = [];
  for (const method of Object.keys(pathItem)) {
    if (!NEEDS_KEY.has(method)) continue;
    const operation = pathItem[method];
    if (!operation || typeof operation !== 'object') continue;
    if (typeof operation['x-idempotent-by'] === 'string' && operation['x-idempotent-by'].trim() !== '') continue;
    if (declaresKey(operation.parameters) || declaresKey(pathItem.parameters)) continue;
    results.push({
      message: `${method.toUpperCase()} ${context.path[context.path.length - 1]} must declare the Idempotency-Key header (or explain in x-idempotent-by why a retry is harmless).`,
      path: [method],
    });
  }
  return results;
}
