// Body size limit and strict JSON. A declared Content-Length over the limit is refused before
// anything is read, whatever the media type; a chunked or compressed body is cut off once the
// bytes read (after inflating) pass the same limit, so a small gzip body cannot inflate past it.
// The JSON must be valid UTF-8 and must not repeat a key within one object: a parser that keeps
// the first duplicate and one that keeps the last would otherwise read two different requests.
// This runs after authentication: nothing is read or inflated for a caller without a token.
import express, { type Request, type RequestHandler } from 'express';
import { visit } from 'jsonc-parser';
import { ProblemError } from '../core/problems.js';

const JSON_TYPES = ['application/json', 'application/*+json'];
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function malformed(detail: string): ProblemError {
  return new ProblemError('malformed-json', { detail });
}

/** The JSON pointer of the first key repeated within one object, or undefined. */
export function firstDuplicateKey(text: string): string | undefined {
  const objects: Array<Set<string>> = [];
  const path: string[] = [];
  let duplicate: string | undefined;
  visit(
    text,
    {
      onObjectBegin: () => {
        objects.push(new Set());
        return duplicate === undefined;
      },
      onObjectEnd: () => {
        objects.pop();
      },
      onObjectProperty: (name, _offset, _length, _line, _column, pathSupplier) => {
        const keys = objects[objects.length - 1];
        if (duplicate !== undefined || !keys) return;
        if (keys.has(name)) {
          path.push(...pathSupplier().map(String), name);
          duplicate = `/${path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
        } else keys.add(name);
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return duplicate;
}

/** Parses a JSON request body strictly: UTF-8 only, an object or array at the top, no duplicate keys. */
export function parseStrictJson(body: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw malformed('The request body is not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed('The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null) throw malformed('The request body must be a JSON object or array.');
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== undefined) throw malformed(`The request body repeats the key at ${duplicate}; each key may appear once per object.`);
  return value;
}

export function bodyLimit(limitBytes: number): RequestHandler[] {
  const declared: RequestHandler = (req, _res, next) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > limitBytes) {
      throw new ProblemError('payload-too-large', {
        detail: `The request body is larger than the ${limitBytes} bytes this gateway accepts.`,
      });
    }
    next();
  };
  const read = express.raw({ limit: limitBytes, type: JSON_TYPES, inflate: true });
  const parse = (req: Request): void => {
    if (!Buffer.isBuffer(req.body)) return;
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
    if (charset && charset.toLowerCase() !== 'utf-8') {
      throw new ProblemError('unsupported-media-type', { detail: `JSON bodies are UTF-8; charset ${charset} is not accepted.` });
    }
    // An empty body reads as an empty object, as the JSON parser this replaces read it.
    req.body = req.body.length === 0 ? {} : parseStrictJson(req.body);
  };
  const readAndParse: RequestHandler = (req, res, next) => {
    // A request without a body (most GETs) has nothing to read: the raw reader would only find that out itself.
    if (req.headers['transfer-encoding'] === undefined && req.headers['content-length'] === undefined) return next();
    read(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        parse(req);
      } catch (error) {
        return next(error);
      }
      next();
    });
  };
  return [declared, readAndParse];
}
