// Whether an address belongs to this machine. mDNS and LLMNR responders use ports any local user
// may bind (5353, 5355), so an answer from one of our own addresses may come from an unprivileged
// process; such answers are not believed (see answer-gate.ts).
import { networkInterfaces } from 'node:os';
import { normalizeIp, parseIp } from '../scope/ip.js';

/** Interfaces come and go (VPN, Wi-Fi): the list is read again after this long. */
const REFRESH_MS = 5_000;

export type OwnAddressCheck = (ip: string, now: number) => boolean;

function isLoopback(ip: string): boolean {
  const parsed = parseIp(ip);
  if (parsed === null) return false;
  return parsed.family === 4 ? parsed.value >> 24n === 127n : parsed.value === 1n;
}

export function systemOwnAddresses(read: typeof networkInterfaces = networkInterfaces): OwnAddressCheck {
  let known = new Set<string>();
  let readAt = Number.NEGATIVE_INFINITY;
  return (ip, now) => {
    if (isLoopback(ip)) return true;
    if (now - readAt >= REFRESH_MS || now < readAt) {
      known = new Set(Object.values(read()).flatMap((list) => (list ?? []).map((info) => normalizeIp(info.address))));
      readAt = now;
    }
    return known.has(normalizeIp(ip));
  };
}
