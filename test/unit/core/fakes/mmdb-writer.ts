// A tiny MaxMind DB writer (spec: https://maxmind.github.io/MaxMind-DB/), enough to build
// GeoLite2-schema test files: an IPv6 tree (IPv4 networks live in ::/96), 24-bit records, the data
// types the City schema uses, and the metadata section.
import { parseCidr } from '../../../../src/core/scope/ip.js';

export type MmdbValue = string | number | boolean | MmdbValue[] | { [key: string]: MmdbValue } | Uint32Value | Uint16Value | Uint64Value;
export class Uint16Value { constructor(readonly value: number) {} }
export class Uint32Value { constructor(readonly value: number) {} }
export class Uint64Value { constructor(readonly value: bigint) {} }

function control(type: number, size: number): Buffer {
  const head: number[] = [];
  const extension: number[] = [];
  let sizeBits = size;
  if (size >= 65_821) { sizeBits = 31; const rest = size - 65_821; extension.push((rest >> 16) & 0xff, (rest >> 8) & 0xff, rest & 0xff); }
  else if (size >= 285) { sizeBits = 30; const rest = size - 285; extension.push((rest >> 8) & 0xff, rest & 0xff); }
  else if (size >= 29) { sizeBits = 29; extension.push(size - 29); }
  if (type <= 7) head.push((type << 5) | sizeBits);
  else head.push(sizeBits, type - 7);
  return Buffer.from([...head, ...extension]);
}

function unsigned(type: number, value: bigint): Buffer {
  const bytes: number[] = [];
  for (let rest = value; rest > 0n; rest >>= 8n) bytes.unshift(Number(rest & 0xffn));
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

export function encode(value: MmdbValue): Buffer {
  if (value instanceof Uint16Value) return unsigned(5, BigInt(value.value));
  if (value instanceof Uint32Value) return unsigned(6, BigInt(value.value));
  if (value instanceof Uint64Value) return unsigned(9, value.value);
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, text.length), text]);
  }
  if (typeof value === 'number') {
    const double = Buffer.alloc(8);
    double.writeDoubleBE(value);
    return Buffer.concat([control(3, 8), double]);
  }
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([key, item]) => [encode(key), encode(item)])]);
}

type Record = { node: number } | { data: number } | null;

export function writeMmdb(networks: Array<[string, MmdbValue]>, metadata: { databaseType: string; buildEpoch: number }): Buffer {
  const nodes: Array<[Record, Record]> = [[null, null]];
  const dataParts: Buffer[] = [];
  let dataLength = 0;
  for (const [cidrText, value] of networks) {
    const cidr = parseCidr(cidrText);
    if (!cidr) throw new Error(`bad test network ${cidrText}`);
    const bits = cidr.family === 4 ? 96 + cidr.prefix : cidr.prefix;
    const address = cidr.network;
    const encoded = encode(value);
    const dataOffset = dataLength;
    dataParts.push(encoded);
    dataLength += encoded.length;
    let node = 0;
    for (let depth = 0; depth < bits; depth++) {
      const bit = Number((address >> BigInt(127 - depth)) & 1n);
      const current = nodes[node];
      if (!current) throw new Error('tree corrupt');
      if (depth === bits - 1) {
        current[bit] = { data: dataOffset };
        break;
      }
      const next = current[bit];
      if (next && 'node' in next) {
        node = next.node;
      } else {
        nodes.push([null, null]);
        current[bit] = { node: nodes.length - 1 };
        node = nodes.length - 1;
      }
    }
  }
  const nodeCount = nodes.length;
  const tree = Buffer.alloc(nodeCount * 6);
  const recordValue = (record: Record): number =>
    record === null ? nodeCount : 'node' in record ? record.node : nodeCount + 16 + record.data;
  nodes.forEach(([left, right], index) => {
    tree.writeUIntBE(recordValue(left), index * 6, 3);
    tree.writeUIntBE(recordValue(right), index * 6 + 3, 3);
  });
  const meta = encode({
    node_count: new Uint32Value(nodeCount),
    record_size: new Uint16Value(24),
    ip_version: new Uint16Value(6),
    database_type: metadata.databaseType,
    languages: ['en'],
    binary_format_major_version: new Uint16Value(2),
    binary_format_minor_version: new Uint16Value(0),
    build_epoch: new Uint64Value(BigInt(metadata.buildEpoch)),
    description: { en: 'snitchmap test database' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...dataParts, Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), meta]);
}
