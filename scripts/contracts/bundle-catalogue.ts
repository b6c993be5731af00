// The last step of `npm run build`: bundles every contract into the compiled tree's
// contract-catalogue.json (see core/contracts/prebuilt.ts), so the compiled layer starts without
// bundling. `--out FILE` writes elsewhere (required when run from the TypeScript sources).
import { parseArgs } from 'node:util';
import { prebuiltCatalogueFile, writePrebuiltCatalogue } from '../../core/contracts/prebuilt.js';
import { runWhenExecuted } from './run-main.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = values.out ?? prebuiltCatalogueFile();
  if (!out) throw new Error('Run the compiled script (node dist/scripts/contracts/bundle-catalogue.js) or pass --out FILE.');
  const started = performance.now();
  const count = await writePrebuiltCatalogue(out);
  console.log(`${count} contracts bundled to ${out} (${Math.round(performance.now() - started)} ms)`);
  return 0;
}

runWhenExecuted(import.meta.filename, main);
