// The partner mock: an HTTP server that answers every operation of one experience contract from
// the contract's own examples, after validating the request against it (express-openapi-validator),
// so a partner can build against the API before they have credentials. `npm run mock -- <api>`.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express, { type Request, type RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import type { Logger } from 'pino';
import { bundleContract, listContractFiles, PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { resolveLocalRef } from '../../core/contracts/refs.js';
import { ProblemError } from '../../core/problems.js';
import { problemHandler } from '../../gateway/errors.js';

type Node = Record<string, unknown>;
type ApiSpec = Parameters<typeof OpenApiValidator.middleware>[0]['apiSpec'];

/** What a caller asked the mock for in `Prefer` (RFC 7240): `code=<status>`, `example=<name>`. */
export interface MockPreference {
  code?: string;
  example?: string;
}

const MOCK_PREFERENCE = /^\s*(code|example)\s*=\s*"?([A-Za-z0-9_.-]+)"?\s*$/;

/**
 * Takes the mock's own preferences out of `Prefer`, leaving the others (such as the CRM API's
 * `wait=10`) for the contract to validate.
 */
export function takeMockPreference(prefer: string | undefined): { preference: MockPreference; rest: string | undefined } {
  const preference: MockPreference = {};
  const rest: string[] = [];
  for (const part of (prefer ?? '').split(',')) {
    const match = MOCK_PREFERENCE.exec(part);
    if (match) preference[match[1] as keyof MockPreference] = match[2];
    else if (part.trim() !== '') rest.push(part.trim());
  }
  return { preference, rest: rest.length > 0 ? rest.join(', ') : undefined };
}

/** Headers that describe one real call, not the operation: the mock sets its own or none. */
const PER_CALL_HEADERS = new Set(['content-type', 'content-length', 'x-request-id', 'idempotent-replayed']);

const resolve = (document: Node, value: unknown): Node => resolveLocalRef(document, value).node;

export interface MockAnswer {
  status: number;
  contentType?: string;
  body?: unknown;
  headers: Record<string, string>;
}

/** The contract's answer to one operation: the preferred (else the first 2xx) response and its example. */
export function answerFor(document: Node, operation: Node, preference: MockPreference): MockAnswer {
  const responses = (operation.responses ?? {}) as Record<string, unknown>;
  const codes = Object.keys(responses);
  const code = preference.code ?? codes.filter((c) => /^2[0-9][0-9]$/.test(c)).sort()[0];
  if (code === undefined || !(code in responses)) {
    throw new ProblemError('bad-request', {
      detail: `Prefer: code=${code ?? ''} is not a documented response of ${String(operation.operationId)}; it documents ${codes.join(', ')}.`,
    });
  }
  const response = resolve(document, responses[code]);
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries((response.headers ?? {}) as Node)) {
    const example = resolve(document, header).example;
    if (example !== undefined && !PER_CALL_HEADERS.has(name.toLowerCase())) headers[name] = String(example);
  }
  const content = Object.entries((response.content ?? {}) as Record<string, Node>);
  if (content.length === 0) return { status: Number(code), headers };
  const [contentType, media] = content[0];
  const named = (media.examples ?? {}) as Record<string, unknown>;
  let body: unknown;
  if (preference.example !== undefined) {
    if (!(preference.example in named)) {
      throw new ProblemError('bad-request', {
        detail: `Prefer: example=${preference.example} names no example of the ${code} response of ${String(operation.operationId)}; it has ${Object.keys(named).join(', ') || 'no named examples'}.`,
      });
    }
    body = resolve(document, named[preference.example]).value;
  } else {
    body = media.example ?? Object.values(named).map((example) => resolve(document, example).value)[0];
  }
  if (body === undefined) {
    throw new ProblemError('not-implemented', {
      detail: `The contract has no example for the ${code} response of ${String(operation.operationId)}.`,
    });
  }
  return { status: Number(code), contentType, body, headers };
}

/** The experience contracts a mock can serve, by name (`crm.v2`). */
export async function mockableApis(rootDir: string = PROJECT_ROOT): Promise<Map<string, string>> {
  const files = (await listContractFiles(rootDir)).filter((c) => c.layer === 'experience');
  return new Map(files.map((c) => [`${c.api}.v${c.major}`, c.file]));
}

export interface RunningMock {
  /** Base URL of the API, e.g. http://127.0.0.1:4010/experience/crm/v2. */
  apiUrl: string;
  /** Where an SDK's `gatewayUrl` points. */
  url: string;
  file: string;
  close(): Promise<void>;
}

export async function startMock(api: string, options: { port?: number; host?: string; logger?: Logger } = {}): Promise<RunningMock> {
  const apis = await mockableApis();
  const file = apis.get(api);
  if (!file) throw new Error(`No experience contract ${JSON.stringify(api)}; one of: ${[...apis.keys()].join(', ')}`);
  const document = await bundleContract(path.join(PROJECT_ROOT, file), file);
  const basePath = String((document.servers as Array<{ url: string }>)[0].url);

  const app = express();
  app.disable('x-powered-by');
  const preferences = new WeakMap<Request, MockPreference>();
  const readPreference: RequestHandler = (req, res, next) => {
    const { preference, rest } = takeMockPreference(req.get('prefer'));
    preferences.set(req, preference);
    if (rest === undefined) delete req.headers.prefer;
    else req.headers.prefer = rest;
    req.requestId = crypto.randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    const started = performance.now();
    res.on('finish', () =>
      options.logger?.info(
        { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'mock answered',
      ),
    );
    next();
  };
  app.use(readPreference);
  app.use(express.json({ strict: true, type: ['application/json', 'application/*+json'] }));
  app.use(
    OpenApiValidator.middleware({
      apiSpec: structuredClone(document) as unknown as ApiSpec,
      validateApiSpec: false,
      validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false, allErrors: true },
      validateResponses: false,
      validateSecurity: false, // the mock answers without credentials; the real layer checks the token
      ignoreUndocumented: false,
      validateFormats: true,
    }),
  );
  const paths = document.paths as Record<string, Record<string, Node>>;
  app.use((req: Request & { openapi?: { openApiRoute: string } }, res) => {
    if (!req.openapi) throw new ProblemError('not-found', { detail: `This mock serves ${basePath} only.` });
    // The validator's copy of the operation is its own; answer from the contract as written.
    const operation = paths[req.openapi.openApiRoute.slice(basePath.length)][req.method.toLowerCase()];
    const answer = answerFor(document, operation, preferences.get(req) ?? {});
    res.status(answer.status).set(answer.headers);
    if (answer.contentType === undefined) return void res.end();
    res.type(answer.contentType).send(JSON.stringify(answer.body));
  });
  app.use(problemHandler(false));

  const server: Server = await new Promise((ready) => {
    const listening = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ready(listening));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    apiUrl: `${url}${basePath}`,
    file,
    close: () => new Promise<void>((done, fail) => server.close((error) => (error ? fail(error) : done()))),
  };
}
