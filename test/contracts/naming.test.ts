// lint:contracts' file-name check: every contract file is {api}.v{major}.yaml and agrees
// with its servers[0].url and info.version.
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { checkContractNames } from '../../scripts/contracts/naming.js';
import { baseContract, scratchProject, writeContract } from './ruleset-fixture.js';

describe('checkContractNames', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratchProject(PROJECT_ROOT);
    const good = baseContract();
    good.servers[0].url = '/system/widgets/v1';
    await writeContract(dir, 'openapi/system/widgets.v1.yaml', good);
    await writeContract(dir, 'openapi/system/Widget_Parts.v1.yaml', good);
    const wrongServer = baseContract();
    wrongServer.servers[0].url = '/system/gizmos/v2';
    await writeContract(dir, 'openapi/system/gadgets.v1.yaml', wrongServer);
    const wrongMajor = baseContract();
    wrongMajor.servers[0].url = '/process/sprockets/v2';
    await writeContract(dir, 'openapi/process/sprockets.v2.yaml', wrongMajor);
    await writeFile(path.join(dir, 'openapi', 'system', 'broken.v1.yaml'), 'openapi: [unclosed');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names each misnamed or inconsistent file and passes the good one', async () => {
    const problems = await checkContractNames(dir);
    const byFile = (file: string) => problems.filter((p) => p.file === file).map((p) => p.message);
    expect(byFile('openapi/system/widgets.v1.yaml')).toEqual([]);
    expect(byFile('openapi/system/Widget_Parts.v1.yaml')).toEqual([expect.stringMatching(/must be named \{api\}\.v\{major\}\.yaml/)]);
    expect(byFile('openapi/system/gadgets.v1.yaml')).toEqual([
      expect.stringMatching(/servers\[0\]\.url is "\/system\/gizmos\/v2", the file name says \/system\/gadgets\/v1/),
    ]);
    expect(byFile('openapi/process/sprockets.v2.yaml')).toEqual([
      expect.stringMatching(/info\.version is "1\.0\.0", the file name says major 2/),
    ]);
    expect(byFile('openapi/system/broken.v1.yaml')).toEqual([expect.stringMatching(/not valid YAML/)]);
  });

  it('finds nothing wrong in the repository', async () => {
    expect(await checkContractNames(PROJECT_ROOT)).toEqual([]);
  });
});
