// IP addresses as numbers: IPv4 in a 32-bit bigint, IPv6 in a 128-bit bigint. Prefix matching,
// range lookups and scope rules all work on these, so every address is parsed exactly once here.
import { isIPv4, isIPv6 } from 'node:net';

export interface ParsedIp {
  family: 4 | 6;
  value: bigint;
}

const V4_MAPPED_PREFIX = 0xffffn << 32n;

export function parseIPv4(text: string): bigint | null {
  if (!isIPv4(text)) return null;
  let value = 0n;
  for (const part of text.split('.')) value = (value << 8n) | BigInt(Number(part));
  return value;
}

export function parseIPv6(text: string): bigint | null {
  const bare = text.split('%')[0] ?? '';
  if (!isIPv6(bare)) return null;
  let head = bare;
  const lastColon = bare.lastIndexOf(':');
  const lastPart = bare.slice(lastColon + 1);
  if (lastPart.includes('.')) {
    const v4 = parseIPv4(lastPart);
    if (v4 === null) return null;
    head = `${bare.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = right === undefined ? leftGroups : [...leftGroups, ...Array<string>(missing).fill('0'), ...rightGroups];
  if (groups.length !== 8) return null;
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(parseInt(group, 16));
  return value;
}

/** Parses either family; an IPv4-mapped IPv6 address comes back as IPv4. */
export function parseIp(text: string): ParsedIp | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIPv6(text);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 - V4_MAPPED_PREFIX };
  return { family: 6, value: v6 };
}

export function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join('.');
}

/** RFC 5952: lower case, leading zeros dropped, the longest run (≥ 2) of zero groups as `::`. */
export function formatIPv6(value: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Normal form of an address as the contract reports it (v4-mapped → v4, RFC 5952), or the input if unparsable. */
export function normalizeIp(text: string): string {
  const parsed = parseIp(text);
  if (!parsed) return text;
  return parsed.family === 4 ? formatIPv4(parsed.value) : formatIPv6(parsed.value);
}

export interface Cidr {
  family: 4 | 6;
  network: bigint;
  prefix: number;
}

export function parseCidr(text: string): Cidr | null {
  const [address = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return null;
  const parsed = parseIp(address);
  if (!parsed) return null;
  const mappedV4 = parsed.family === 4 && parseIPv4(address) === null;
  const bits = parsed.family === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return null;
    prefix = Number(prefixText) - (mappedV4 ? 96 : 0);
    if (prefix < 0 || prefix > bits) return null;
  }
  return { family: parsed.family, network: parsed.value & prefixMask(bits, prefix), prefix };
}

export function prefixMask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
}

export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.family !== ip.family) return false;
  const bits = ip.family === 4 ? 32 : 128;
  return (ip.value & prefixMask(bits, cidr.prefix)) === cidr.network;
}
