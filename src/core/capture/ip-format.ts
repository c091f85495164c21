// Address text as the contract wants it: IPv4 dotted quad, IPv6 in RFC 5952 form (lower case, no
// leading zeros, the longest run of two or more zero groups as "::", first run on ties), and
// IPv4-mapped IPv6 (::ffff:a.b.c.d) reported as IPv4.

import type { Family } from '../../shared/contract.js';

import { formatIpv4, formatIpv6, isV4Mapped } from '../../shared/ip-text.js';

export { formatIpv4, formatIpv6 };

/** 4 or 16 address bytes → { family, text } with v4-mapped IPv6 folded into IPv4. */
export function formatAddress(bytes: Uint8Array): { family: Family; ip: string } {
  if (bytes.length === 4) return { family: 4, ip: formatIpv4(bytes) };
  if (isV4Mapped(bytes)) return { family: 4, ip: formatIpv4(bytes.subarray(12)) };
  return { family: 6, ip: formatIpv6(bytes) };
}
