// Address text as the contract wants it: IPv4 dotted quad, IPv6 in RFC 5952 form (lower case, no
// leading zeros, the longest run of two or more zero groups as "::", first run on ties), and
// IPv4-mapped IPv6 (::ffff:a.b.c.d) reported as IPv4.

import type { Family } from '../../shared/contract.js';

export function formatIpv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** 4 or 16 address bytes → { family, text } with v4-mapped IPv6 folded into IPv4. */
export function formatAddress(bytes: Uint8Array): { family: Family; ip: string } {
  if (bytes.length === 4) return { family: 4, ip: formatIpv4(bytes) };
  if (isV4Mapped(bytes)) return { family: 4, ip: formatIpv4(bytes.subarray(12)) };
  return { family: 6, ip: formatIpv6(bytes) };
}
