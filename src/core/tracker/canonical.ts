// Sources promise normalized addresses (capture.ts), but a v4-mapped IPv6 address that slips
// through would split one connection into two keys and miss its owner. The check is a cheap
// string test; only the rare mapped form pays for a parse.
import type { Family } from '../../shared/contract.js';
import { normalizeIp } from '../scope/ip.js';

function isMapped(ip: string): boolean {
  return ip.includes(':') && ip.includes('.');
}

export function canonical<T extends { family: Family; localIp: string; remoteIp: string | null }>(record: T): T {
  const localMapped = isMapped(record.localIp);
  const remoteMapped = record.remoteIp !== null && isMapped(record.remoteIp);
  if (!localMapped && !remoteMapped) return record;
  const localIp = normalizeIp(record.localIp);
  const remoteIp = record.remoteIp === null ? null : normalizeIp(record.remoteIp);
  const family: Family = localIp.includes(':') || (remoteIp !== null && remoteIp.includes(':')) ? 6 : 4;
  return { ...record, localIp, remoteIp, family };
}
