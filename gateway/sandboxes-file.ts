// <VAR_DIR>/sandboxes.json: where a running layer's embedded sandboxes and its gateway listen,
// so that local tools (`npm run demo`) find them without reading the start-up log. Written
// once the gateway listens, removed when it stops. Only loopback URLs and the writer's pid:
// the sandboxes' credentials are their seeded development defaults and stay out of it.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SANDBOX_PLATFORMS } from '../sandboxes/index.js';
import type { SandboxPlatform } from '../sandboxes/kit/index.js';

export interface SandboxesFile extends Partial<Record<SandboxPlatform, string>> {
  /** The gateway's base URL on this machine. */
  gateway?: string;
  /** The process that wrote the file (the running layer). */
  pid?: number;
  startedAt?: string;
}

export function sandboxesFilePath(varDir: string): string {
  return join(resolve(varDir), 'sandboxes.json');
}

const isHttpUrl = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\/[^\s]+$/.test(value);

/**
 * Reads the file; undefined when there is none. Keeps only the fields it knows, with URL
 * values that are http(s) URLs; a file that is not JSON throws, naming the path.
 */
export function readSandboxesFile(varDir: string): SandboxesFile | undefined {
  const path = sandboxesFilePath(varDir);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${path} is not JSON; delete it and restart the layer.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`${path} is not a JSON object; delete it and restart the layer.`);
  const record = parsed as Record<string, unknown>;
  const file: SandboxesFile = {};
  for (const key of [...SANDBOX_PLATFORMS, 'gateway'] as const) if (isHttpUrl(record[key])) file[key] = record[key].replace(/\/$/, '');
  if (Number.isInteger(record.pid)) file.pid = record.pid as number;
  if (typeof record.startedAt === 'string') file.startedAt = record.startedAt;
  return file;
}

/**
 * Writes the file (through a temporary file and a rename, so a reader never sees half of it)
 * and returns what removes it again: only while it is still this process's file, so a layer
 * that stops never deletes the file of another one started since on the same VAR_DIR.
 */
export function writeSandboxesFile(varDir: string, urls: Partial<Record<SandboxPlatform, string>>, gatewayUrl: string): () => void {
  const path = sandboxesFilePath(varDir);
  mkdirSync(resolve(varDir), { recursive: true });
  const content: SandboxesFile = {};
  for (const p of SANDBOX_PLATFORMS) if (urls[p]) content[p] = urls[p];
  content.gateway = gatewayUrl;
  content.pid = process.pid;
  content.startedAt = new Date().toISOString();
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, path);
  return () => {
    let current: SandboxesFile | undefined;
    try {
      current = readSandboxesFile(varDir);
    } catch {
      return; // not ours to judge: leave it
    }
    if (current && current.pid === content.pid && current.gateway === content.gateway && current.startedAt === content.startedAt)
      rmSync(path, { force: true });
  };
}
