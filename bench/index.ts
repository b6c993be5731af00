// `npm run bench -- <name> [args]`: runs bench/<name>.ts, whose `run(args)` prints its figures.
// Known names: gateway, core, billing, reconcile, start (each a file beside this one).
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.test.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const KNOWN = ['gateway', 'core', 'billing', 'reconcile', 'start'];

const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error(`usage: npm run bench -- <name>   (available: ${available.join(', ') || 'none'})`);
  process.exit(1);
}
if (!available.includes(name)) {
  console.error(
    KNOWN.includes(name)
      ? `Benchmark "${name}" is not written yet (bench/${name}.ts). Available: ${available.join(', ')}.`
      : `Unknown benchmark "${name}". Available: ${available.join(', ')}.`,
  );
  process.exit(1);
}
const mod = (await import(pathToFileURL(`${here}/${name}.ts`).href)) as { run?: (args: string[]) => Promise<void> };
if (typeof mod.run !== 'function') {
  console.error(`bench/${name}.ts does not export run(args)`);
  process.exit(1);
}
await mod.run(args);
