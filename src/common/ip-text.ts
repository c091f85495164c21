// Address bytes (network order) as the text every layer promises: IPv4 dotted quad, IPv6 in RFC
// 5952 form (lower case, no leading zeros, the first longest run of two or more zero groups as
// `::`, and `::ffff:a.b.c.d` for IPv4-mapped addresses as RFC 5952 §5 recommends). Callers that
// report mapped addresses as IPv4 (the contract does) use formatAddress(), or check isV4Mapped().

import type { Family } from '../shared/contract.js';

export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

export function isV4Mapped(bytes: Uint8Array, offset = 0): boolean {
  for (let i = 0; i < 10; i++) if (bytes[offset + i] !== 0) return false;
  return bytes[offset + 10] === 0xff && bytes[offset + 11] === 0xff;
}

export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  if (isV4Mapped(bytes, offset)) return `::ffff:${formatIpv4(bytes, offset + 12)}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** 4 or 16 address bytes → { family, text } with v4-mapped IPv6 folded into IPv4 (the contract's form). */
export function formatAddress(bytes: Uint8Array): { family: Family; ip: string } {
  if (bytes.length === 4) return { family: 4, ip: formatIpv4(bytes) };
  if (isV4Mapped(bytes)) return { family: 4, ip: formatIpv4(bytes.subarray(12)) };
  return { family: 6, ip: formatIpv6(bytes) };
}
