// The last step of `npm run build`: bundles the operations console (HTML shell, console.js with
// uPlot, console.css) into dist, beside the compiled module that serves it.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../core/project-root.js';
import { writeConsole } from '../experience-apis/operations/console/assets.js';

const folder = join(PROJECT_ROOT, 'dist', 'experience-apis', 'operations', 'console', 'assets');
await writeConsole(folder);
console.log(`operations console bundled into ${folder}`);
