// Holds back the response a handler writes (res.write/res.end, which res.json and res.send
// end in) until an async step has run, then sends it unchanged. The idempotency middleware
// uses it to store the outcome BEFORE the client sees it: a client that retries the moment
// it has an answer must find the stored answer, not an in-flight key.
import type { Response } from 'express';

export interface CapturedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

type Encoding = BufferEncoding | undefined;
type Callback = (() => void) | undefined;

function toBuffer(chunk: unknown, encoding: Encoding): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return Buffer.from(String(chunk), encoding ?? 'utf8');
}

function headerMap(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/**
 * Buffers everything the handler writes; when it ends the response, awaits `beforeSend`
 * with the complete response, then sends it. `beforeSend` must not throw (it is the
 * caller's job to log its own failures): the response goes out either way.
 */
export function holdResponseUntil(res: Response, beforeSend: (captured: CapturedResponse) => Promise<void>): void {
  const chunks: Buffer[] = [];
  const originalWrite = res.write;
  const originalEnd = res.end;

  // Node's write/end are overloaded (chunk?, encoding?, callback?); these replacements accept
  // every overload and normalise the arguments, hence the casts to the overloaded types.
  res.write = function write(chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean {
    const encoding = typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : undefined;
    const cb = (typeof encodingOrCallback === 'function' ? encodingOrCallback : callback) as Callback;
    chunks.push(toBuffer(chunk, encoding));
    if (cb) process.nextTick(cb);
    return true;
  } as typeof res.write;

  res.end = function end(chunkOrCallback?: unknown, encodingOrCallback?: unknown, callback?: unknown): Response {
    let chunk: unknown = chunkOrCallback;
    let encoding: Encoding;
    let cb: Callback;
    if (typeof chunkOrCallback === 'function') {
      chunk = undefined;
      cb = chunkOrCallback as Callback;
    } else if (typeof encodingOrCallback === 'function') {
      cb = encodingOrCallback as Callback;
    } else {
      encoding = encodingOrCallback as Encoding;
      cb = callback as Callback;
    }
    if (chunk !== undefined && chunk !== null) chunks.push(toBuffer(chunk, encoding));
    res.write = originalWrite;
    res.end = originalEnd;
    const body = Buffer.concat(chunks);
    void beforeSend({ status: res.statusCode, headers: headerMap(res), body }).finally(() => {
      Reflect.apply(originalEnd, res, cb ? [body, cb] : [body]);
    });
    return res;
  } as typeof res.end;
}
