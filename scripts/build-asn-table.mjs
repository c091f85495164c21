// CSV → binary ASN range table. Input rows: start,end,asn,org (start/end as decimal integers; IPv6
// ones exceed 2^53, hence BigInt). Layout (little-endian, every array aligned to its element size):
//   "SMASN002" | u32 v4Count | u32 v6Count | u32 entryCount | u32 orgsBytes
//   u32 v4Start[v4Count] | u32 v4End[v4Count] | u32 v4Entry[v4Count]   (pad to 8)
//   u64 v6Start[2*v6Count] (hi, lo) | u64 v6End[2*v6Count] | u32 v6Entry[v6Count]
//   u32 entryAsn[entryCount] | u32 orgEnd[entryCount] (end offset of entry i's name in the blob)
//   UTF-8 blob of organisation names (orgsBytes long), decoded only when a lookup needs one
// Ranges are sorted by start; lookups binary-search them.
import { Buffer } from 'node:buffer';
import console from 'node:console';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import process from 'node:process';

const [v4Path, v6Path, outPath] = process.argv.slice(2);
if (!v4Path || !v6Path || !outPath) {
  console.error('usage: build-asn-table.mjs asn-ipv4-num.csv asn-ipv6-num.csv out.bin');
  process.exit(2);
}

function parseLine(line) {
  const fields = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') { value += '"'; i += 2; }
        else if (line[i] === '"') { i++; break; }
        else value += line[i++];
      }
      fields.push(value);
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

const entries = new Map();
function entryOf(asn, org) {
  const key = `${asn}\u0000${org}`;
  let index = entries.get(key);
  if (index === undefined) { index = entries.size; entries.set(key, index); }
  return index;
}

function readRanges(path) {
  const ranges = [];
  let skipped = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const [start, end, asn, org = ''] = parseLine(line);
    const number = Number(asn);
    if (!/^\d+$/.test(start ?? '') || !/^\d+$/.test(end ?? '') || !Number.isInteger(number) || number < 0 || number > 0xffffffff) {
      skipped++;
      continue;
    }
    ranges.push({ start: BigInt(start), end: BigInt(end), entry: entryOf(number, org) });
  }
  ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  if (skipped) console.warn(`build-asn-table: ${path}: ${skipped} malformed rows skipped`);
  return ranges;
}

const v4 = readRanges(v4Path);
const v6 = readRanges(v6Path);
const orgNames = [...entries.keys()].map((key) => Buffer.from(key.slice(key.indexOf('\u0000') + 1), 'utf8'));
const orgs = Buffer.concat(orgNames);
const align8 = (n) => (n + 7) & ~7;
const v4Bytes = align8(v4.length * 12);
const v6Bytes = v6.length * 36;
const size = 24 + v4Bytes + v6Bytes + entries.size * 8 + orgs.length;
const out = Buffer.alloc(size);
out.write('SMASN002', 0, 'latin1');
out.writeUInt32LE(v4.length, 8);
out.writeUInt32LE(v6.length, 12);
out.writeUInt32LE(entries.size, 16);
out.writeUInt32LE(orgs.length, 20);
let offset = 24;
for (const field of ['start', 'end']) for (const range of v4) { out.writeUInt32LE(Number(range[field]), offset); offset += 4; }
for (const range of v4) { out.writeUInt32LE(range.entry, offset); offset += 4; }
offset = 24 + v4Bytes;
const mask64 = (1n << 64n) - 1n;
for (const field of ['start', 'end']) {
  for (const range of v6) {
    out.writeBigUInt64LE(range[field] >> 64n, offset);
    out.writeBigUInt64LE(range[field] & mask64, offset + 8);
    offset += 16;
  }
}
for (const range of v6) { out.writeUInt32LE(range.entry, offset); offset += 4; }
for (const key of entries.keys()) { out.writeUInt32LE(Number(key.slice(0, key.indexOf('\u0000'))), offset); offset += 4; }
let orgEnd = 0;
for (const name of orgNames) { orgEnd += name.length; out.writeUInt32LE(orgEnd, offset); offset += 4; }
orgs.copy(out, offset);
writeFileSync(`${outPath}.tmp`, out);
renameSync(`${outPath}.tmp`, outPath);
console.log(`build-asn-table: ${v4.length} IPv4 and ${v6.length} IPv6 ranges, ${entries.size} (asn, org) entries, ${size} bytes → ${outPath}`);
