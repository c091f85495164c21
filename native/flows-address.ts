// Address bytes from the kernel (network order, 16 bytes, IPv4 in the first 4) as the strings
// src/shared/capture.ts promises: IPv4 dotted quad, IPv6 in RFC 5952 form.

import { formatIpv4, formatIpv6 } from '../src/common/ip-text.js';

export { formatIpv4, formatIpv6 };

export function formatAddress(family: 4 | 6, bytes: Uint8Array, offset = 0): string {
  return family === 4 ? formatIpv4(bytes, offset) : formatIpv6(bytes, offset);
}
