// npm run build:contracts — bundles every contract (the same @redocly/openapi-core bundler
// as `redocly bundle`) to dist/contracts/{layer}/{api}.v{major}.{yaml,json}, builds its
// self-contained HTML docs (redocly build-docs --inlineBundle) to dist/docs/{layer}/{api}/v{major}.html,
// and writes dist/docs/index.html. Fails if any page would load a script or style from another host.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadCatalogue, PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { assertSelfContained, buildDocsHtml } from '../../core/contracts/docs.js';
import { renderDocsIndex } from '../../core/contracts/docs-index.js';
import { serializeContract } from '../../core/contracts/publish.js';
import type { ApiContract } from '../../core/contracts/types.js';

const rootDir = PROJECT_ROOT;
const dist = path.join(rootDir, 'dist');
// Two cores are shared with everything else; two builds at a time is enough.
const CONCURRENCY = 2;

async function publish(contract: ApiContract): Promise<string> {
  const started = performance.now();
  const specDir = path.join(dist, 'contracts', contract.layer);
  await mkdir(specDir, { recursive: true });
  const stem = `${contract.api}.v${contract.major}`;
  await writeFile(path.join(specDir, `${stem}.yaml`), serializeContract(contract, 'yaml'));
  await writeFile(path.join(specDir, `${stem}.json`), serializeContract(contract, 'json'));
  const html = await buildDocsHtml(contract, { rootDir });
  const docsFile = path.join(dist, 'docs', contract.layer, contract.api, `v${contract.major}.html`);
  await mkdir(path.dirname(docsFile), { recursive: true });
  await copyFile(html, docsFile);
  assertSelfContained(await readFile(docsFile, 'utf8'), contract.file);
  return `${contract.file} -> dist/docs/${contract.layer}/${contract.api}/v${contract.major}.html (${Math.round(performance.now() - started)} ms)`;
}

async function main(): Promise<void> {
  const catalogue = await loadCatalogue(rootDir);
  const queue = [...catalogue];
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) console.log(await publish(next));
  });
  await Promise.all(workers);
  const index = renderDocsIndex(catalogue, (c) => ({
    docs: `${c.layer}/${c.api}/v${c.major}.html`,
    yaml: `../contracts/${c.layer}/${c.api}.v${c.major}.yaml`,
    json: `../contracts/${c.layer}/${c.api}.v${c.major}.json`,
  }));
  await writeFile(path.join(dist, 'docs', 'index.html'), index);
  console.log(`dist/docs/index.html lists ${catalogue.length} contracts`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
