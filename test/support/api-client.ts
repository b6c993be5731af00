// What tests of an API through the real gateway share: the catalogue of the contracts under
// test (the gateway's own is always in), and a small JSON client for one base path with
// Idempotency-Key writes and cursor paging to the end.
import { join } from 'node:path';
import { expect } from 'vitest';
import { bundleContract, describeContract, PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import type { ApiContract, ContractLayer } from '../../core/contracts/types.js';

export interface ContractRef {
  layer: ContractLayer;
  api: string;
  major: number;
}

/** The gateway's contract plus the given ones, bundled from openapi/ as the gateway serves them. */
export async function catalogueOf(refs: ContractRef[]): Promise<ApiContract[]> {
  return Promise.all(
    [{ layer: 'gateway' as const, api: 'gateway', major: 1 }, ...refs].map(async (r) => {
      const file = `openapi/${r.layer}/${r.api}.v${r.major}.yaml`;
      return describeContract({ ...r, file }, await bundleContract(join(PROJECT_ROOT, file), file));
    }),
  );
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ApiClient {
  call<T = unknown>(method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  /** A write with a fresh Idempotency-Key. */
  write<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>>;
  /** Every item of a cursor-paged list (`{items, nextCursor}`), asserting each page answers 200. */
  all<T>(path: string, limit?: number): Promise<T[]>;
}

export const idempotencyHeader = (): Record<string, string> => ({ 'Idempotency-Key': `"${crypto.randomUUID()}"` });

/**
 * A client for `<gateway><basePath>`; `headers()` is read on every call, so a test can set
 * its token in beforeAll after creating the client.
 */
export function apiClient(gatewayUrl: () => string, basePath: string, headers: () => Record<string, string>): ApiClient {
  const client: ApiClient = {
    async call<T>(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}) {
      const res = await fetch(`${gatewayUrl()}${basePath}${path}`, {
        method,
        headers: { ...headers(), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
    },
    write<T>(method: string, path: string, body?: unknown) {
      return client.call<T>(method, path, { body, headers: idempotencyHeader() });
    },
    async all<T>(path: string, limit = 200) {
      const items: T[] = [];
      let cursor: string | null = null;
      do {
        const sep = path.includes('?') ? '&' : '?';
        const page: ApiResponse<{ items: T[]; nextCursor: string | null }> = await client.call(
          'GET',
          `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(page.status, JSON.stringify(page.body)).toBe(200);
        items.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      return items;
    },
  };
  return client;
}
