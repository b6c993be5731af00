// Builds the self-contained HTML docs of one contract on demand (npm start has no build
// step), with redocly build-docs --inlineBundle, cached under var/ by the content hash of
// the bundled contract so that a changed contract gets fresh docs and an unchanged one is
// built once.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ProblemError } from '../problems.js';
import { PROJECT_ROOT } from './catalogue.js';
import type { ApiContract } from './types.js';

const run = promisify(execFile);

export interface DocsOptions {
  /** Cache directory; defaults to {rootDir}/var/docs. */
  cacheDir?: string;
  /** Where node_modules/.bin/redocly is found; defaults to the project root. */
  rootDir?: string;
  /** Build timeout in milliseconds (a cold build takes about a second). */
  timeoutMs?: number;
}

/** Hash of the bundled document (and of the renderer's version): the cache key of its docs. */
export function contractHash(contract: Pick<ApiContract, 'bundled'>, rendererVersion = ''): string {
  return createHash('sha256').update(rendererVersion).update('\n').update(JSON.stringify(contract.bundled)).digest('hex').slice(0, 32);
}

async function redoclyVersion(rootDir: string): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(path.join(rootDir, 'node_modules', '@redocly', 'cli', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '';
  } catch {
    return '';
  }
}

/** Removes the docs of earlier versions of the same contract, so the cache does not grow without bound. */
async function pruneStale(cacheDir: string, prefix: string, keep: string): Promise<void> {
  for (const name of await readdir(cacheDir)) {
    if (name.startsWith(prefix) && name.endsWith('.html') && name !== keep) await rm(path.join(cacheDir, name), { force: true });
  }
}

const inFlight = new Map<string, Promise<string>>();

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Fails if the HTML would load anything from another host: the docs must work offline. */
export function assertSelfContained(html: string, label: string): void {
  const external =
    /<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\//i.exec(html) ??
    /<link\b[^>]*\brel\s*=\s*["']?stylesheet[^>]*\bhref\s*=\s*["']?(?:https?:)?\/\//i.exec(html);
  if (external) {
    throw new ProblemError('internal', { detail: `Docs for ${label} load an external resource: ${external[0].slice(0, 120)}` });
  }
}

async function build(contract: ApiContract, htmlFile: string, options: Required<DocsOptions>): Promise<void> {
  const label = `${contract.layer}/${contract.api}/v${contract.major}`;
  const work = `${htmlFile}.${process.pid}.${Date.now()}`;
  const specFile = `${work}.json`;
  const outFile = `${work}.html`;
  await writeFile(specFile, JSON.stringify(contract.bundled));
  try {
    await run(
      path.join(options.rootDir, 'node_modules', '.bin', 'redocly'),
      ['build-docs', specFile, '--inlineBundle', '--output', outFile, '--title', `${contract.title} v${contract.major}`],
      {
        timeout: options.timeoutMs,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    assertSelfContained(await readFile(outFile, 'utf8'), label);
    // Rename is atomic: a concurrent reader sees no file or the whole file.
    await rename(outFile, htmlFile);
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    throw new ProblemError('service-unavailable', {
      detail: `The docs for ${label} could not be built; try again shortly.`,
      cause: error,
    });
  } finally {
    await rm(specFile, { force: true });
    await rm(outFile, { force: true });
  }
}

/**
 * Returns the path of the HTML docs of one contract, building them on first use.
 * Concurrent calls for the same contract share one build.
 */
export async function buildDocsHtml(contract: ApiContract, options: DocsOptions = {}): Promise<string> {
  const rootDir = options.rootDir ?? PROJECT_ROOT;
  const resolved: Required<DocsOptions> = {
    rootDir,
    cacheDir: options.cacheDir ?? path.join(rootDir, 'var', 'docs'),
    timeoutMs: options.timeoutMs ?? 60_000,
  };
  const prefix = `${contract.layer}-${contract.api}-v${contract.major}-`;
  const htmlFile = path.join(resolved.cacheDir, `${prefix}${contractHash(contract, await redoclyVersion(rootDir))}.html`);
  if (await exists(htmlFile)) return htmlFile;
  const pending = inFlight.get(htmlFile);
  if (pending) return pending;
  const job = (async () => {
    await mkdir(resolved.cacheDir, { recursive: true });
    await build(contract, htmlFile, resolved);
    await pruneStale(resolved.cacheDir, prefix, path.basename(htmlFile));
    return htmlFile;
  })().finally(() => inFlight.delete(htmlFile));
  inFlight.set(htmlFile, job);
  return job;
}

/** The HTML docs of one contract as text (built on first use), for a handler to send. */
export async function docsHtml(contract: ApiContract, options: DocsOptions = {}): Promise<string> {
  return readFile(await buildDocsHtml(contract, options), 'utf8');
}
