// The console's files as the gateway serves them: the HTML shell, console.js (the page's modules
// with uPlot and openapi-fetch bundled in) and console.css. `npm run build` writes them into dist
// beside this module; run from the sources (npm start under tsx, tests) they are bundled with
// esbuild on the first request and kept for the life of the process.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../../core/observability/logger.js';

export interface ConsoleAssets {
  html: string;
  js: string;
  css: string;
}

const SOURCES = fileURLToPath(new URL('.', import.meta.url));
const PREBUILT = fileURLToPath(new URL('./assets/', import.meta.url));
const FILES = { html: 'index.html', js: 'console.js', css: 'console.css' } as const;

/** Subresource Integrity: the browser refuses a script or style sheet that is not these bytes. */
const integrity = (text: string) => `sha384-${createHash('sha384').update(text, 'utf8').digest('base64')}`;

// The MIT licences of what is bundled ask for their notices to travel with the copies.
const NOTICE = '/*! Operations console. Bundles uPlot (MIT, (c) Leon Sorokin) and openapi-fetch (MIT, (c) Drew Powers). */';

export async function bundleConsole(): Promise<ConsoleAssets> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(SOURCES, 'browser', 'main.ts')],
    tsconfig: join(SOURCES, 'browser', 'tsconfig.json'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome111', 'firefox111', 'safari16'],
    minify: true,
    legalComments: 'inline',
    banner: { js: NOTICE, css: NOTICE },
    outdir: 'out',
    entryNames: 'console',
    write: false,
    logLevel: 'silent',
  });
  const output = (extension: string) => {
    const file = result.outputFiles.find((f) => f.path.endsWith(extension));
    if (!file) throw new Error(`the console bundle has no ${extension} output`);
    return file.text;
  };
  const js = output('.js');
  const css = output('.css');
  const shell = await readFile(join(SOURCES, 'page.html'), 'utf8');
  const html = shell.replace('%CONSOLE_JS_INTEGRITY%', integrity(js)).replace('%CONSOLE_CSS_INTEGRITY%', integrity(css));
  return { html, js, css };
}

/** For `npm run build`: bundles the console into a folder the compiled gateway serves from. */
export async function writeConsole(folder: string): Promise<void> {
  const assets = await bundleConsole();
  await mkdir(folder, { recursive: true });
  await Promise.all(Object.entries(FILES).map(([kind, name]) => writeFile(join(folder, name), assets[kind as keyof ConsoleAssets])));
}

async function readPrebuilt(): Promise<ConsoleAssets> {
  const [html, js, css] = await Promise.all(Object.values(FILES).map((name) => readFile(join(PREBUILT, name), 'utf8')));
  return { html, js, css };
}

let assets: Promise<ConsoleAssets> | undefined;

/** The console's files: built ones when `npm run build` left them beside this module, else bundled now (once). */
export function consoleAssets(logger?: Logger): Promise<ConsoleAssets> {
  assets ??= (async () => {
    const started = performance.now();
    const prebuilt = existsSync(join(PREBUILT, FILES.html));
    try {
      const files = prebuilt ? await readPrebuilt() : await bundleConsole();
      logger?.info(
        { prebuilt, ms: Math.round(performance.now() - started), scriptBytes: files.js.length, styleBytes: files.css.length },
        prebuilt ? 'operations console files read from the build' : 'operations console bundled from its sources',
      );
      return files;
    } catch (err) {
      logger?.error({ err, prebuilt }, 'operations console files could not be prepared');
      assets = undefined; // the next request tries again
      throw err;
    }
  })();
  return assets;
}
