// One HTTP exchange with a platform, bounded in every dimension a misbehaving vendor can
// stretch: time to headers, gaps in the body, total time, and body size. Never follows
// redirects (undici's request() only does so through an interceptor, which we do not add).
import { request, type Dispatcher } from 'undici';
import { ProblemError } from '../../core/problems.js';

export type Platform = 'crm' | 'scheduling' | 'time' | 'erp';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ExchangeOptions {
  platform: Platform;
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Deadline for the whole exchange, headers and body together. */
  timeoutMs: number;
  maxResponseBytes: number;
  dispatcher?: Dispatcher;
}

/** Why an exchange failed without a usable answer; decides retry safety. */
export type ExchangeFailure = 'timeout' | 'refused' | 'connection' | 'too-large';

export class ExchangeError extends ProblemError {
  constructor(
    readonly failure: ExchangeFailure,
    platform: Platform,
    detail: string,
  ) {
    super(failure === 'timeout' ? 'upstream-timeout' : failure === 'too-large' ? 'upstream-error' : 'upstream-unavailable', {
      detail,
      extensions: { platform },
    });
  }
}

const REFUSED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  // undici wraps the socket error; the code may sit one or two causes down.
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export async function exchange(opts: ExchangeOptions): Promise<RawResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  const name = opts.method;
  try {
    const res = await request(opts.url, {
      method: opts.method as Dispatcher.HttpMethod,
      headers: opts.headers,
      body: opts.body,
      signal: controller.signal,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      dispatcher: opts.dispatcher,
    });
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > opts.maxResponseBytes) {
      res.body.destroy();
      throw new ExchangeError(
        'too-large',
        opts.platform,
        `The ${opts.platform} platform answered with ${declared} bytes, more than the ${opts.maxResponseBytes} allowed.`,
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > opts.maxResponseBytes) {
        res.body.destroy();
        throw new ExchangeError(
          'too-large',
          opts.platform,
          `The ${opts.platform} platform answered with more than the ${opts.maxResponseBytes} bytes allowed.`,
        );
      }
      chunks.push(chunk as Buffer);
    }
    return { status: res.statusCode, headers: flattenHeaders(res.headers), body: Buffer.concat(chunks) };
  } catch (err) {
    if (err instanceof ExchangeError) throw err;
    const code = errorCode(err);
    if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      throw new ExchangeError(
        'timeout',
        opts.platform,
        `The ${opts.platform} platform did not answer ${name} within ${opts.timeoutMs} ms.`,
      );
    }
    if (code && REFUSED_CODES.has(code)) {
      throw new ExchangeError('refused', opts.platform, `The ${opts.platform} platform could not be reached (${code}).`);
    }
    // Reset or closed mid-exchange: the request may have been processed.
    throw new ExchangeError(
      'connection',
      opts.platform,
      `The connection to the ${opts.platform} platform failed${code ? ` (${code})` : ''}.`,
    );
  } finally {
    clearTimeout(timer);
  }
}
