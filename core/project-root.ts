// Where the project's files (contracts, regional rules, var/) are, whether this module runs from
// its TypeScript source (tsx) or from the compiled output under dist/ (`npm run build`).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder at or above `from` holding package.json; the compiled tree has none of its own. */
export function findProjectRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}: cannot find the project's files.`);
  }
}

export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** A file of the project by its path from the root, e.g. `core/regional/legal-entities.yaml`. */
export const projectFile = (...segments: string[]): string => join(PROJECT_ROOT, ...segments);
