// Requests that break an operation's contract, derived from the contract itself: a body missing its
// required fields, a malformed id in the path, a query value of the wrong type, or an undocumented
// query parameter. Each names the field the validator must report. For checks that validation
// runs for every API, whatever loaded the contracts and whenever their validators were built.
import type { ApiContract } from '../../core/contracts/types.js';
import { resolveLocalRef } from '../../core/contracts/refs.js';

type Node = Record<string, unknown>;

export interface InvalidRequest {
  contract: string;
  operationId: string;
  method: string;
  /** Path from the server root, with its query string. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** What is wrong, and the field the validator's errors must point at. */
  breaks: 'required body fields' | 'path id' | 'query type' | 'unknown query parameter';
  field: string;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const SOME_ID = '01936b2e-4c1a-7d3e-9f00-0123456789ab';

function parameters(doc: Node, item: Node, op: Node): Node[] {
  return [...((item.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])].map((p) => resolveLocalRef(doc, p).node);
}

function schemaOf(doc: Node, node: Node | undefined): Node {
  return resolveLocalRef(doc, node?.schema).node;
}

/** A value the parameter's schema accepts, for the parts of the request that are not the one broken. */
function validValue(doc: Node, param: Node): string {
  const schema = schemaOf(doc, param);
  if (schema.format === 'uuid') return SOME_ID;
  if (Array.isArray(schema.enum)) return String(schema.enum[0]);
  const example = param.example ?? schema.example ?? (schema.examples as unknown[] | undefined)?.[0];
  if (example !== undefined) return typeof example === 'string' ? example : JSON.stringify(example);
  if (schema.type === 'integer' || schema.type === 'number') return String(schema.minimum ?? 1);
  return 'x1';
}

/** One invalid request for an operation, breaking the first of: required body fields, a path id, a typed query value; else an unknown query parameter. */
function invalidRequest(contract: ApiContract, path: string, method: string, item: Node, op: Node): InvalidRequest {
  const doc = contract.bundled;
  const params = parameters(doc, item, op);
  const body = resolveLocalRef(doc, op.requestBody).node;
  const bodySchema = resolveLocalRef(doc, (body.content as Record<string, Node> | undefined)?.['application/json']?.schema).node;
  const pathId = params.find((p) => p.in === 'path' && schemaOf(doc, p).format === 'uuid');
  const typedQuery = params.find((p) => p.in === 'query' && schemaOf(doc, p).type === 'integer');
  let breaks: InvalidRequest['breaks'];
  let field: string;
  if (Array.isArray(bodySchema.required) && bodySchema.required.length > 0) [breaks, field] = ['required body fields', 'body'];
  else if (pathId) [breaks, field] = ['path id', String(pathId.name)];
  else if (typedQuery) [breaks, field] = ['query type', String(typedQuery.name)];
  else [breaks, field] = ['unknown query parameter', 'unexpectedParameter'];

  let url = `${contract.basePath === '/' ? '' : contract.basePath}${path}`;
  for (const param of params.filter((p) => p.in === 'path')) {
    const value = breaks === 'path id' && param === pathId ? 'not-an-id' : validValue(doc, param);
    url = url.replace(`{${String(param.name)}}`, encodeURIComponent(value));
  }
  if (breaks === 'query type') url += `?${field}=not-a-number`;
  if (breaks === 'unknown query parameter') url += `?${field}=1`;
  const headers: Record<string, string> = {};
  for (const param of params.filter((p) => p.in === 'header' && p.required === true)) {
    headers[String(param.name).toLowerCase()] =
      String(param.name).toLowerCase() === 'idempotency-key' ? '"invalid-request-check"' : validValue(doc, param);
  }
  const hasBody = Object.keys(body).length > 0;
  if (hasBody) headers['content-type'] = 'application/json';
  return {
    contract: contract.file,
    operationId: String(op.operationId),
    method: method.toUpperCase(),
    url,
    headers,
    ...(hasBody ? { body: '{}' } : {}),
    breaks,
    field,
  };
}

/**
 * Up to `perContract` invalid requests for each contract that is served (not retired), choosing
 * operations that break different things first. The gateway's webhook routes are left out: they
 * answer to a signature before any contract is consulted.
 */
export function invalidRequestSample(catalogue: ApiContract[], perContract = 3): InvalidRequest[] {
  const sample: InvalidRequest[] = [];
  for (const contract of catalogue) {
    if (contract.lifecycle === 'retired') continue;
    const all: InvalidRequest[] = [];
    for (const [path, item] of Object.entries((contract.bundled.paths ?? {}) as Record<string, Node>)) {
      if (contract.layer === 'gateway' && path.startsWith('/webhooks')) continue;
      for (const method of METHODS) {
        const op = item[method] as Node | undefined;
        if (op) all.push(invalidRequest(contract, path, method, item, op));
      }
    }
    const chosen: InvalidRequest[] = [];
    for (const request of all) if (chosen.length < perContract && !chosen.some((c) => c.breaks === request.breaks)) chosen.push(request);
    for (const request of all) if (chosen.length < perContract && !chosen.includes(request)) chosen.push(request);
    sample.push(...chosen);
  }
  return sample;
}
