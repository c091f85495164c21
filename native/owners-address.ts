// Socket addresses as the owner records carry them (16 raw bytes, network order, IPv4 in the first
// four) turned into the strings of src/shared/capture.ts: IPv4 dotted quad, IPv6 in RFC 5952 form,
// IPv4-mapped IPv6 reported as IPv4 — a dual-stack (`::`) socket talking to an IPv4 peer holds
// ::ffff:a.b.c.d addresses while TC sees plain IPv4 packets, so both must meet as IPv4.

import type { Family } from '../src/shared/contract.js';

import { formatIpv4, formatIpv6, isV4Mapped } from '../src/common/ip-text.js';

export { formatIpv4, formatIpv6, isV4Mapped };

function isUnspecified(bytes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 16; i++) if (bytes[offset + i] !== 0) return false;
  return true;
}

export interface NormalizedEndpoints {
  family: Family;
  localIp: string;
  /** null when the remote end is not known (unconnected socket). */
  remoteIp: string | null;
}

/**
 * Endpoints of one socket. An AF_INET6 socket whose addresses are IPv4-mapped (either end; the
 * other end may be `::` while unbound) is reported as family 4.
 */
export function normalizeEndpoints(family: Family, local: Uint8Array, remote: Uint8Array | null): NormalizedEndpoints {
  if (family === 4) {
    return { family: 4, localIp: formatIpv4(local), remoteIp: remote ? formatIpv4(remote) : null };
  }
  const localMapped = isV4Mapped(local, 0);
  const remoteMapped = remote !== null && isV4Mapped(remote, 0);
  const mapped =
    (localMapped && (remote === null || remoteMapped || isUnspecified(remote, 0))) ||
    (remoteMapped && (localMapped || isUnspecified(local, 0)));
  if (mapped) {
    const v4 = (bytes: Uint8Array): string => (isUnspecified(bytes, 0) ? '0.0.0.0' : formatIpv4(bytes, 12));
    return { family: 4, localIp: v4(local), remoteIp: remote ? v4(remote) : null };
  }
  return { family: 6, localIp: formatIpv6(local), remoteIp: remote ? formatIpv6(remote) : null };
}
