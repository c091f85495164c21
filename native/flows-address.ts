// Address bytes from the kernel (network order, 16 bytes, IPv4 in the first 4) as the strings
// src/shared/capture.ts promises: IPv4 dotted quad, IPv6 in RFC 5952 form.

export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** RFC 5952: lower-case hex, no leading zeros, the longest run (≥ 2, first on a tie) of zero groups as `::`. */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0));
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${formatIpv4(bytes, offset + 12)}`;
  }
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

export function formatAddress(family: 4 | 6, bytes: Uint8Array, offset = 0): string {
  return family === 4 ? formatIpv4(bytes, offset) : formatIpv6(bytes, offset);
}
