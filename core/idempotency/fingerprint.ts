// The request fingerprint that tells "the same request again" from "another request with
// the same key": SHA-256 over method, path with query, and the body in canonical JSON
// (object keys sorted), so that key order and whitespace do not make two payloads differ.
import { createHash } from 'node:crypto';
import type { Request } from 'express';

export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

export function requestFingerprint(req: Pick<Request, 'method' | 'originalUrl' | 'body'>): string {
  const hash = createHash('sha256');
  hash.update(`${req.method.toUpperCase()}\n${req.originalUrl}\n`);
  const body: unknown = req.body;
  if (Buffer.isBuffer(body)) hash.update(body);
  else if (typeof body === 'string') hash.update(body);
  else hash.update(canonicalJson(body));
  return hash.digest('hex');
}
