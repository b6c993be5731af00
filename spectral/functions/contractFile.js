// Checks that a contract's file name, server URL and info.version agree:
// openapi/{layer}/{api}.v{major}.yaml is served at /{layer}/{api}/v{major} and has
// info.version {major}.x.y; the gateway's own contract is served at /.
const FILE_PATTERN = /^(?:.*\/)?openapi\/(gateway|system|process|experience)\/([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\.v([1-9][0-9]*)\.yaml$/;

export default function contractFile(document, _options, context) {
  const source = String(context.document.source ?? '').replace(/\\/g, '/');
  const match = FILE_PATTERN.exec(source);
  if (!match) {
    return [{ message: `File must be named openapi/{layer}/{api}.v{major}.yaml, got "${source}".`, path: [] }];
  }
  const [, layer, api, major] = match;
  const results = [];
  const expectedUrl = layer === 'gateway' ? '/' : `/${layer}/${api}/v${major}`;
  const url = document?.servers?.[0]?.url;
  if (url !== expectedUrl) {
    results.push({ message: `servers[0].url must be "${expectedUrl}" for this file, got "${url ?? ''}".`, path: ['servers'] });
  }
  const version = document?.info?.version;
  const versionMatch = typeof version === 'string' ? /^([0-9]+)\.[0-9]+\.[0-9]+$/.exec(version) : null;
  if (!versionMatch) {
    results.push({
      message: `info.version must be a semantic version {major}.{minor}.{patch}, got "${version ?? ''}".`,
      path: ['info', 'version'],
    });
  } else if (versionMatch[1] !== major) {
    results.push({ message: `info.version ${version} does not match the file's major version v${major}.`, path: ['info', 'version'] });
  }
  return results;
}
