// Scope of a remote address (contract `remote.scope`). Rules are checked most specific first, so
// e.g. the IPv4 limited broadcast wins over the reserved 240/4 block that contains it.
import type { Scope } from '../../shared/contract.js';
import { cidrContains, parseCidr, parseIp, type Cidr } from './ip.js';

const RULES: Array<[string, Scope]> = [
  ['255.255.255.255/32', 'multicast'],
  ['127.0.0.0/8', 'loopback'],
  ['10.0.0.0/8', 'lan'],
  ['172.16.0.0/12', 'lan'],
  ['192.168.0.0/16', 'lan'],
  ['100.64.0.0/10', 'lan'],
  ['169.254.0.0/16', 'link-local'],
  ['224.0.0.0/4', 'multicast'],
  ['0.0.0.0/8', 'unknown'],
  ['192.0.2.0/24', 'unknown'],
  ['198.51.100.0/24', 'unknown'],
  ['203.0.113.0/24', 'unknown'],
  ['198.18.0.0/15', 'unknown'],
  ['240.0.0.0/4', 'unknown'],
  ['::1/128', 'loopback'],
  ['::/128', 'unknown'],
  ['fc00::/7', 'lan'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
  ['2001:db8::/32', 'unknown'],
];

const COMPILED: Array<[Cidr, Scope]> = RULES.map(([text, scope]) => {
  const cidr = parseCidr(text);
  if (!cidr) throw new Error(`bad built-in scope rule ${text}`);
  return [cidr, scope];
});

/** Unparsable text is 'unknown', never an exception: addresses come from the capture source. */
export function scopeOf(address: string): Scope {
  const ip = parseIp(address);
  if (!ip) return 'unknown';
  for (const [cidr, scope] of COMPILED) if (cidrContains(cidr, ip)) return scope;
  return 'internet';
}
