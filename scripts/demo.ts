// `npm run demo`: against a running layer (`npm start` in another terminal), walks one story
// end to end and prints each step with its latency. The layer and its embedded sandboxes are
// found in <VAR_DIR>/sandboxes.json, which the layer writes while it runs; --url and
// --<platform>-sandbox flags, else DEMO_LAYER_URL and DEMO_<PLATFORM>_SANDBOX_URL, override it
// (never *_BASE_URL: those may name real platforms). The token is minted here with the
// development key under VAR_DIR, as `npm run token` does.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config/index.js';
import { signDevToken } from '../gateway/auth/dev-keys.js';
import { readSandboxesFile, sandboxesFilePath, type SandboxesFile } from '../gateway/sandboxes-file.js';
import { SANDBOX_PLATFORMS } from '../sandboxes/index.js';
import type { SandboxUrls } from './demo/people.js';
import { DEMO_SCOPES, runDemo, type DemoResult } from './demo/story.js';

const PLATFORMS = SANDBOX_PLATFORMS;
const DEFAULT_LAYER_URL = 'http://127.0.0.1:8080';
const USAGE =
  'usage: npm run demo [-- --url http://127.0.0.1:8080] [--crm-sandbox URL --scheduling-sandbox URL --time-sandbox URL --erp-sandbox URL] [--wait-seconds 60]';

export interface DemoTargets {
  layerUrl: string;
  /** All four when none is missing. */
  urls?: SandboxUrls;
  missing: string[];
  /** The running layer's <VAR_DIR>/sandboxes.json, when there is one. */
  file?: SandboxesFile;
  /** Whether the layer URL came from that file. */
  layerFromFile: boolean;
}

/**
 * Where the layer and the sandboxes are, first found wins for each: flags, DEMO_* variables,
 * the running layer's <VAR_DIR>/sandboxes.json, and for the layer http://127.0.0.1:8080.
 */
export function demoTargets(flags: Partial<Record<string, string>>, env: NodeJS.ProcessEnv, varDir: string): DemoTargets {
  const file = readSandboxesFile(varDir);
  const found: Partial<Record<string, string>> = {};
  const missing: string[] = [];
  for (const p of PLATFORMS) {
    const url = flags[`${p}-sandbox`] ?? env[`DEMO_${p.toUpperCase()}_SANDBOX_URL`] ?? file?.[p];
    if (url) found[p] = url.replace(/\/$/, '');
    else missing.push(p);
  }
  const given = flags.url ?? env.DEMO_LAYER_URL;
  const layerUrl = (given ?? file?.gateway ?? DEFAULT_LAYER_URL).replace(/\/$/, '');
  return {
    layerUrl,
    urls: missing.length ? undefined : (found as unknown as SandboxUrls),
    missing,
    file,
    layerFromFile: !given && Boolean(file?.gateway),
  };
}

/** A development token with the demo's scopes, signed with the key the running layer trusts. */
export async function demoToken(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const config = loadConfig(env);
  if (config.gateway.auth.jwksUrl)
    throw new Error(
      `AUTH_JWKS_URL is set (${config.gateway.auth.jwksUrl}): the demo needs the development key; run it against a development layer.`,
    );
  return signDevToken(config, { scope: DEMO_SCOPES.join(' '), sub: 'demo', claims: { client_id: 'demo' } });
}

/** Runs the demo from command-line arguments; 0 when the whole story held, 1 when a step failed, 2 on bad usage. */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  print: (line: string) => void = (l) => console.log(l),
): Promise<{ code: number; result?: DemoResult }> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        'wait-seconds': { type: 'string', default: '60' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(PLATFORMS.map((p) => [`${p}-sandbox`, { type: 'string' as const }])),
      },
      strict: true,
    }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    print(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return { code: 2 };
  }
  if (values.help) {
    print(USAGE);
    return { code: 0 };
  }
  const waitSeconds = Number(values['wait-seconds']);
  if (!Number.isInteger(waitSeconds) || waitSeconds < 1 || waitSeconds > 3600) {
    print(`--wait-seconds must be a whole number from 1 to 3600\n${USAGE}`);
    return { code: 2 };
  }
  const config = loadConfig(env);
  const filePath = sandboxesFilePath(config.runtime.varDir);
  const flags = Object.fromEntries(
    Object.entries(values).filter(([k, v]) => (k === 'url' || k.endsWith('-sandbox')) && typeof v === 'string'),
  ) as Record<string, string>;
  let targets: DemoTargets;
  try {
    targets = demoTargets(flags, env, config.runtime.varDir);
  } catch (err) {
    print(err instanceof Error ? err.message : String(err));
    return { code: 1 };
  }
  const { layerUrl, urls, missing, file } = targets;
  if (!urls) {
    if (!file) {
      print(
        [
          `No layer with embedded sandboxes is running on this VAR_DIR: ${filePath} does not exist.`,
          `Start one with npm start (with the same VAR_DIR) in another terminal and run the demo again;`,
          `it writes that file once it listens and removes it when it stops.`,
          `For sandboxes started some other way, name them: --<platform>-sandbox URL, or DEMO_CRM_SANDBOX_URL,`,
          `DEMO_SCHEDULING_SANDBOX_URL, DEMO_TIME_SANDBOX_URL and DEMO_ERP_SANDBOX_URL (missing: ${missing.join(', ')}).`,
        ].join('\n'),
      );
      return { code: 1 };
    }
    print(
      [
        `The demo acts on the platforms' sandboxes as people would, and needs their URLs: missing ${missing.join(', ')}`,
        `(${filePath} does not name them). Pass them as --<platform>-sandbox URL, or set DEMO_<PLATFORM>_SANDBOX_URL.`,
        USAGE,
      ].join('\n'),
    );
    return { code: 2 };
  }
  try {
    const ready = await fetch(`${layerUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
    if (!ready.ok) {
      print(`The layer at ${layerUrl} is not ready (${ready.status}): ${await ready.text()}`);
      return { code: 1 };
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    print(
      targets.layerFromFile
        ? `No layer answers at ${layerUrl} (${reason}), the gateway named in ${filePath} (written by process ${file?.pid ?? '?'} at ${file?.startedAt ?? '?'}): that layer has stopped without removing the file. Start it again with npm start.`
        : `No layer answers at ${layerUrl} (${reason}); start it with npm start, or pass --url.`,
    );
    return { code: 1 };
  }
  const token = await demoToken(env);
  print(
    `  Layer ${layerUrl}; sandboxes ${PLATFORMS.map((p) => `${p} ${urls[p]}`).join(', ')}${file ? ` (defaults from ${filePath})` : ''}`,
  );
  const result = await runDemo({ layerUrl, sandboxes: urls, token, print, waitMs: waitSeconds * 1000 });
  return { code: result.ok ? 0 : 1, result };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { code } = await main(process.argv.slice(2));
  process.exit(code);
}
