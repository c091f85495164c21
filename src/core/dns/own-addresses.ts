// Whether an address belongs to this machine. mDNS and LLMNR responders use ports any local user
// may bind (5353, 5355), so an answer from one of our own addresses may come from an unprivileged
// process; such answers are not believed (see answer-gate.ts).
import { networkInterfaces } from 'node:os';
import { normalizeIp } from '../scope/ip.js';
import { scopeOf } from '../scope/scope.js';

/** Interfaces come and go (VPN, Wi-Fi): the list is read again after this long. */
const REFRESH_MS = 5_000;

export type OwnAddressCheck = (ip: string, now: number) => boolean;

export function systemOwnAddresses(read: typeof networkInterfaces = networkInterfaces): OwnAddressCheck {
  let known = new Set<string>();
  let readAt = Number.NEGATIVE_INFINITY;
  return (ip, now) => {
    if (scopeOf(ip) === 'loopback') return true;
    if (now - readAt >= REFRESH_MS || now < readAt) {
      known = new Set(Object.values(read()).flatMap((list) => (list ?? []).map((info) => normalizeIp(info.address))));
      readAt = now;
    }
    return known.has(normalizeIp(ip));
  };
}
