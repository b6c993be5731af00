// Collections are cursor-paginated: a GET whose 200 JSON body is a page envelope
// ({items: [...], nextCursor}) takes `cursor` and a bounded `limit` query parameter,
// and no GET answers a bare top-level array.
function queryParameters(operation, pathItem) {
  const all = [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])];
  return new Map(all.filter((p) => p && p.in === 'query').map((p) => [p.name, p]));
}

export default function collectionPagination(pathItem, _options, context) {
  const operation = pathItem?.get;
  if (!operation || typeof operation !== 'object') return [];
  const schema = operation.responses?.['200']?.content?.['application/json']?.schema;
  if (!schema || typeof schema !== 'object') return [];
  const route = context.path[context.path.length - 1];
  if (schema.type === 'array') {
    return [{ message: `GET ${route} answers a bare array; collections answer {items, nextCursor}.`, path: ['get', 'responses', '200'] }];
  }
  const isPage = schema.properties?.items?.type === 'array' && schema.properties?.nextCursor !== undefined;
  if (!isPage) return [];
  const params = queryParameters(operation, pathItem);
  const results = [];
  if (!params.has('cursor')) {
    results.push({ message: `GET ${route} lists a collection but has no "cursor" query parameter.`, path: ['get'] });
  }
  const limit = params.get('limit');
  if (!limit) {
    results.push({ message: `GET ${route} lists a collection but has no "limit" query parameter.`, path: ['get'] });
  } else if (typeof limit.schema?.maximum !== 'number') {
    results.push({ message: `GET ${route}: "limit" must declare a maximum.`, path: ['get'] });
  }
  if (typeof schema.properties.items.maxItems !== 'number') {
    results.push({ message: `GET ${route}: the page's items must declare maxItems.`, path: ['get', 'responses', '200'] });
  }
  return results;
}
