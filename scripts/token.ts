// `npm run token -- --scope "<scopes>" [--sub id] [--client-id id] [--client-account id] [--ttl 3600]`
// prints a JWT signed with the development key, with the issuer and audience the gateway
// expects. Only for development: with AUTH_JWKS_URL set, tokens come from that issuer.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../core/config/index.js';
import { signDevToken } from '../gateway/auth/dev-keys.js';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const usage =
  'usage: npm run token -- --scope "<scope> <scope>…" [--sub <id>] [--client-id <id>] [--client-account <client id>] [--ttl <seconds>]';

let args;
try {
  args = parseArgs({
    options: {
      scope: { type: 'string' },
      sub: { type: 'string', default: 'dev-user' },
      'client-id': { type: 'string' },
      'client-account': { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (err) {
  fail(`${err instanceof Error ? err.message : String(err)}\n${usage}`);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}
if (args.scope === undefined) fail(`--scope is required\n${usage}`);
const scopes = args.scope.split(/\s+/).filter(Boolean);
if (!scopes.every((s) => /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))) fail('--scope must be space-separated scope names (RFC 6749 §3.3)');
const ttl = Number(args.ttl);
if (!Number.isInteger(ttl) || ttl < 1 || ttl > 7 * 24 * 3600) fail('--ttl must be a whole number of seconds between 1 and 604800');

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}
if (config.gateway.auth.jwksUrl) {
  fail(
    `AUTH_JWKS_URL is set (${config.gateway.auth.jwksUrl}): the gateway accepts tokens from that issuer only, so a development token would be refused.`,
  );
}

const claims: Record<string, string> = {};
if (args['client-id']) claims.client_id = args['client-id'];
if (args['client-account']) claims.client_account = args['client-account'];
const token = await signDevToken(config, { scope: scopes.join(' '), sub: args.sub, claims, ttlSeconds: ttl });
process.stdout.write(`${token}\n`);
