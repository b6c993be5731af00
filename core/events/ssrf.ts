// Refuses webhook targets outside the public internet (OWASP API7, SSRF), with ipaddr.js's
// table of special-use ranges (IANA's IPv4 and IPv6 special-purpose registries): an address is
// public only when ipaddr.js calls it plain `unicast`, and an IPv6 one must also lie in global
// unicast 2000::/3. IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address it carries;
// every other IPv6 form that embeds IPv4 (IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96 and
// 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32) is refused whatever it embeds, since the
// translator behind it may reach a private network. Every resolved address is checked, at
// subscription and again at each delivery (at connect time, so that a DNS answer that changes
// between check and send cannot slip through). Production accepts https targets only.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ProblemError } from '../problems.js';

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

export function isPublicAddress(address: string): boolean {
  if (!isIP(address)) return false;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return false;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().range() === 'unicast';
    return v6.range() === 'unicast' && v6.match(GLOBAL_UNICAST_V6);
  }
  return parsed.range() === 'unicast';
}

function refuse(detail: string): ProblemError {
  return new ProblemError('validation-failed', { detail, errors: [{ pointer: '/url', detail }] });
}

export interface WebhookUrlPolicy {
  /** Development and tests only: loopback and private targets (the sandboxes) are allowed. */
  allowPrivate: boolean;
  /** Production: events and their signatures never travel in clear text. */
  requireHttps?: boolean;
}

/**
 * Validates a webhook URL: https (or http where the policy allows it), no credentials, and
 * (unless private URLs are allowed for development) every address the host resolves to must be public.
 */
export async function assertWebhookUrlAllowed(url: string, policy: boolean | WebhookUrlPolicy): Promise<URL> {
  const { allowPrivate, requireHttps = false } = typeof policy === 'boolean' ? { allowPrivate: policy } : policy;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('The webhook URL is not a valid absolute URL.');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw refuse('The webhook URL must use http or https.');
  if (requireHttps && parsed.protocol !== 'https:')
    throw refuse('The webhook URL must use https: events and their signatures are not sent in clear text.');
  if (parsed.username || parsed.password) throw refuse('The webhook URL must not carry credentials.');
  if (allowPrivate) return parsed;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw refuse(`The webhook host ${host} does not resolve.`);
    }
  }
  const bad = addresses.find((a) => !isPublicAddress(a));
  if (addresses.length === 0 || bad !== undefined) {
    throw refuse(
      `The webhook URL resolves to a non-public address (${bad ?? 'none'}); private, loopback and link-local targets are refused.`,
    );
  }
  return parsed;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for socket connections that fails when any resolved address is not public. */
export function publicOnlyLookup(hostname: string, options: { all?: boolean }, callback: LookupCallback): void {
  dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad || addresses.length === 0) {
      const refused = Object.assign(new Error(`refusing to connect to non-public address ${bad?.address ?? '(none)'}`), { code: 'ESSRF' });
      return callback(refused, []);
    }
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
}
