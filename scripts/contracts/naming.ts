// Checks what Spectral cannot see across files: every YAML file in the contract folders is
// named {api}.v{major}.yaml, and its servers[0].url and info.version agree with that name.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { CONTRACT_FILE_NAME, CONTRACT_LAYERS } from '../../core/contracts/catalogue.js';

export interface NamingProblem {
  file: string;
  message: string;
}

export async function checkContractNames(rootDir: string): Promise<NamingProblem[]> {
  const problems: NamingProblem[] = [];
  for (const layer of CONTRACT_LAYERS) {
    let names: string[];
    try {
      names = await readdir(path.join(rootDir, 'openapi', layer));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (!/\.(ya?ml|json)$/.test(name)) continue;
      const file = `openapi/${layer}/${name}`;
      const match = CONTRACT_FILE_NAME.exec(name);
      if (!match) {
        problems.push({
          file,
          message: 'a contract file must be named {api}.v{major}.yaml (kebab-case api, e.g. time-to-billing.v1.yaml)',
        });
        continue;
      }
      const [, api, major] = match;
      let document: { servers?: Array<{ url?: unknown }>; info?: { version?: unknown } };
      try {
        document = parse(await readFile(path.join(rootDir, file), 'utf8')) ?? {};
      } catch (error) {
        problems.push({ file, message: `not valid YAML: ${(error as Error).message.split('\n')[0]}` });
        continue;
      }
      const expectedUrl = layer === 'gateway' ? '/' : `/${layer}/${api}/v${major}`;
      const url = document.servers?.[0]?.url;
      if (url !== expectedUrl)
        problems.push({ file, message: `servers[0].url is ${JSON.stringify(url)}, the file name says ${expectedUrl}` });
      const version = String(document.info?.version ?? '');
      const versionMajor = /^([0-9]+)\.[0-9]+\.[0-9]+$/.exec(version)?.[1];
      if (versionMajor !== major)
        problems.push({ file, message: `info.version is ${JSON.stringify(version)}, the file name says major ${major}` });
    }
  }
  return problems;
}
