// The last step of `npm run build`: bundles the operations console (HTML shell, console.js with
// uPlot, console.css) into the build, beside the compiled module that serves it.
// `tsx scripts/build-console.ts [build folder]`; the build folder is dist unless named.
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../core/project-root.js';
import { writeConsole } from '../experience-apis/operations/console/assets.js';

const build = resolve(PROJECT_ROOT, process.argv[2] ?? 'dist');
const folder = join(build, 'experience-apis', 'operations', 'console', 'assets');
await writeConsole(folder);
console.log(`operations console bundled into ${folder}`);
