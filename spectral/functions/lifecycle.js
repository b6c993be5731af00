// Checks the lifecycle fields in info: deprecated versions carry x-deprecated-at and
// x-sunset (sunset not before deprecation); retired versions carry x-sunset and x-successor.
const DATE_OR_INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))?$/;
const SUCCESSOR = /^\/(system|process|experience)\/[a-z][a-z0-9]*(-[a-z0-9]+)*\/v[1-9][0-9]*$/;

function parseDate(value) {
  if (typeof value !== 'string' || !DATE_OR_INSTANT.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

export default function lifecycle(info) {
  if (!info || typeof info !== 'object') return [];
  const results = [];
  const state = info['x-lifecycle'];
  const need = (field, why) => {
    if (info[field] === undefined) results.push({ message: `info.${field} is required when ${why}.`, path: [field] });
  };
  for (const field of ['x-deprecated-at', 'x-sunset']) {
    if (info[field] !== undefined && parseDate(info[field]) === undefined) {
      results.push({ message: `info.${field} must be an RFC 3339 date or date-time, got "${info[field]}".`, path: [field] });
    }
  }
  if (info['x-successor'] !== undefined && (typeof info['x-successor'] !== 'string' || !SUCCESSOR.test(info['x-successor']))) {
    results.push({ message: 'info.x-successor must be a base path /{layer}/{api}/v{major}.', path: ['x-successor'] });
  }
  if (state === 'deprecated') {
    need('x-deprecated-at', 'x-lifecycle is deprecated');
    need('x-sunset', 'x-lifecycle is deprecated');
    const deprecatedAt = parseDate(info['x-deprecated-at']);
    const sunset = parseDate(info['x-sunset']);
    if (deprecatedAt !== undefined && sunset !== undefined && sunset < deprecatedAt) {
      results.push({ message: 'info.x-sunset must not be earlier than info.x-deprecated-at.', path: ['x-sunset'] });
    }
  } else if (state === 'retired') {
    need('x-sunset', 'x-lifecycle is retired');
    need('x-successor', 'x-lifecycle is retired');
  } else if (state === 'active') {
    for (const field of ['x-deprecated-at', 'x-sunset']) {
      if (info[field] !== undefined) results.push({ message: `info.${field} makes no sense while x-lifecycle is active.`, path: [field] });
    }
  }
  return results;
}
