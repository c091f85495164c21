// ASN and organisation of an address, from the range table scripts/build-asn-table.mjs writes
// (layout documented there). The arrays are views on the file's bytes and names are decoded per
// lookup: loading is one read.
import { readFileSync } from 'node:fs';
import type { AsnInfo } from '../../shared/contract.js';
import { parseIp } from '../scope/ip.js';

export const ASN_ATTRIBUTION = 'ASN data: ip-location-db/asn (RouteViews and DB-IP), CC BY 4.0';

const MAGIC = 'SMASN002';

export class AsnTableError extends Error {}

export interface AsnTable {
  lookup(ip: string): AsnInfo | null;
  readonly ranges: { v4: number; v6: number };
}

export function parseAsnTable(file: Buffer): AsnTable {
  if (file.length < 24 || file.toString('latin1', 0, 8) !== MAGIC) throw new AsnTableError('not an ASN table (bad magic)');
  const v4Count = file.readUInt32LE(8);
  const v6Count = file.readUInt32LE(12);
  const entryCount = file.readUInt32LE(16);
  const orgBytes = file.readUInt32LE(20);
  const v4Bytes = (v4Count * 12 + 7) & ~7;
  const expected = 24 + v4Bytes + v6Count * 36 + entryCount * 8 + orgBytes;
  if (file.length !== expected) throw new AsnTableError(`ASN table is ${file.length} bytes, expected ${expected}`);
  // Typed-array views need aligned offsets; a copy makes the buffer start at 0 of its own ArrayBuffer.
  const bytes = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
  const base = bytes.byteOffset;
  const buffer = bytes.buffer;
  const v4Start = new Uint32Array(buffer, base + 24, v4Count);
  const v4End = new Uint32Array(buffer, base + 24 + v4Count * 4, v4Count);
  const v4Entry = new Uint32Array(buffer, base + 24 + v4Count * 8, v4Count);
  const v6Offset = base + 24 + v4Bytes;
  const v6Start = new BigUint64Array(buffer, v6Offset, v6Count * 2);
  const v6End = new BigUint64Array(buffer, v6Offset + v6Count * 16, v6Count * 2);
  const v6Entry = new Uint32Array(buffer, v6Offset + v6Count * 32, v6Count);
  const entryAsn = new Uint32Array(buffer, v6Offset + v6Count * 36, entryCount);
  const orgEnd = new Uint32Array(buffer, v6Offset + v6Count * 36 + entryCount * 4, entryCount);
  const orgStart = expected - orgBytes;
  if (entryCount > 0 && orgEnd[entryCount - 1] !== orgBytes) throw new AsnTableError('ASN table organisation list is corrupt');

  const info = (entry: number | undefined): AsnInfo | null => {
    if (entry === undefined) return null;
    const number = entryAsn[entry];
    if (number === undefined || number === 0) return null;
    const end = orgEnd[entry] ?? 0;
    const start = entry === 0 ? 0 : (orgEnd[entry - 1] ?? 0);
    const org = start <= end && end <= orgBytes ? bytes.toString('utf8', orgStart + start, orgStart + end) : '';
    return { number, org };
  };
  const v6At = (array: BigUint64Array, index: number): bigint =>
    ((array[index * 2] ?? 0n) << 64n) | (array[index * 2 + 1] ?? 0n);

  return {
    ranges: { v4: v4Count, v6: v6Count },
    lookup(ip) {
      const parsed = parseIp(ip);
      if (!parsed) return null;
      if (parsed.family === 4) {
        const value = Number(parsed.value);
        const index = lastAtOrBelow(v4Count, (i) => (v4Start[i] ?? 0) <= value);
        return index >= 0 && value <= (v4End[index] ?? -1) ? info(v4Entry[index]) : null;
      }
      const value = parsed.value;
      const index = lastAtOrBelow(v6Count, (i) => v6At(v6Start, i) <= value);
      return index >= 0 && value <= v6At(v6End, index) ? info(v6Entry[index]) : null;
    },
  };
}

/** Index of the last element for which `atOrBelow` holds (it must be monotone), or -1. */
function lastAtOrBelow(count: number, atOrBelow: (index: number) => boolean): number {
  let low = 0;
  let high = count - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (atOrBelow(middle)) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

export function loadAsnTable(path: string): AsnTable {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (error) {
    throw new AsnTableError(`cannot read ASN table ${path}: ${(error as Error).message}`);
  }
  try {
    return parseAsnTable(file);
  } catch (error) {
    throw new AsnTableError(`${path}: ${(error as Error).message} (rebuild it with scripts/build-data.sh)`);
  }
}
