import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Reader, type Response } from 'maxmind';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledDbipDir } from '../../../src/core/geo/geolocator.js';
import { MmdbDataError } from '../../../src/core/geo/mmdb-data.js';
import { openMmdb } from '../../../src/core/geo/mmdb-file.js';
import { PAGE_BYTES, PagedFile } from '../../../src/core/geo/paged-file.js';
import { formatIPv4, formatIPv6, parseIp, type ParsedIp } from '../../../src/core/scope/ip.js';
import { writeMmdb } from './fakes/mmdb-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'snitchmap-mmdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function xorshift(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x;
  };
}

describe('PagedFile', () => {
  const bytes = Buffer.from(Array.from({ length: PAGE_BYTES * 5 + 123 }, (_, i) => (i * 7 + (i >> 8)) & 255));
  const path = join(dir, 'pages.bin');
  writeFileSync(path, bytes);

  it('reads the same bytes as the file through a cache of two pages, across page ends', () => {
    const fd = openSync(path, 'r');
    try {
      const file = new PagedFile(fd, bytes.length, 2);
      const random = xorshift(99);
      for (let i = 0; i < 500; i++) {
        const offset = random() % (bytes.length - 16);
        const length = 1 + (random() % 16);
        expect(file.bytes(offset, length)).toEqual(bytes.subarray(offset, offset + length));
        expect(file.byte(offset)).toBe(bytes[offset]);
        expect(file.uint(offset, 3)).toBe(bytes.readUIntBE(offset, 3));
      }
      // Evictions happened: far more than the two cached pages were read.
      expect(file.bytesRead).toBeGreaterThan(bytes.length);
      expect(() => file.byte(bytes.length)).toThrow(RangeError);
      expect(() => file.bytes(bytes.length - 2, 3)).toThrow(RangeError);
    } finally {
      closeSync(fd);
    }
  });

  it('a file cut short under it gives an error, not wrong bytes', () => {
    const short = join(dir, 'short.bin');
    writeFileSync(short, bytes);
    const fd = openSync(short, 'r');
    try {
      const file = new PagedFile(fd, bytes.length, 2);
      truncateSync(short, PAGE_BYTES);
      expect(file.byte(10)).toBe(bytes[10]);
      expect(() => file.byte(PAGE_BYTES * 3)).toThrow(/file ended/);
    } finally {
      closeSync(fd);
    }
  });
});

describe('MMDB reader against corrupt data sections', () => {
  // The record "AAAA" (a 4-byte string) is overwritten in place with crafted bytes.
  function patched(replacement: number[]): string {
    const file = writeMmdb([['192.0.2.0/24', 'AAAA']], { databaseType: 'test', buildEpoch: 0 });
    const at = file.indexOf(Buffer.from([0x44, 0x41, 0x41, 0x41, 0x41]));
    Buffer.from(replacement).copy(file, at);
    const path = join(dir, `patched-${replacement.join('-')}.mmdb`);
    writeFileSync(path, file);
    return path;
  }
  const address = parseIp('192.0.2.1') as ParsedIp;

  it('reads the record as written', () => {
    expect(openMmdb(patched([0x44, 0x41, 0x41, 0x41, 0x41])).get(address)).toBe('AAAA');
  });

  it('a pointer to itself is an error, not a hang or a stack overflow', () => {
    expect(() => openMmdb(patched([0x20, 0x00])).get(address)).toThrow(MmdbDataError);
  });

  it('a map claiming more entries than the file holds is an error before any loop', () => {
    expect(() => openMmdb(patched([0xff, 0xff, 0xff, 0xff])).get(address)).toThrow(/outside the data section/);
  });

  it('a pointer past the data section is an error', () => {
    expect(() => openMmdb(patched([0x38, 0xff, 0xff, 0xff, 0xff])).get(address)).toThrow(/outside the data section/);
  });
});

describe('MMDB reader against maxmind on the bundled DB-IP files', () => {
  const dbip = bundledDbipDir();
  it.each([4, 6] as const)('IPv%i: 5,000 random addresses give the same records', (family) => {
    expect(dbip).not.toBeNull();
    const path = join(dbip as string, `dbip-city-ipv${family}.mmdb`);
    const reference = new Reader<Response>(readFileSync(path));
    const paged = openMmdb(path);
    const random = xorshift(family * 1000 + 7);
    let found = 0;
    for (let i = 0; i < 5_000; i++) {
      const value = family === 4 ? BigInt(random()) : (BigInt(0x2000 + (random() & 0x1fff)) << 112n) | (BigInt(random()) << 80n) | BigInt(random());
      const text = family === 4 ? formatIPv4(value) : formatIPv6(value);
      const expected = reference.get(text) ?? null;
      if (expected !== null) found++;
      const actual = paged.get({ family, value });
      if (!isDeepStrictEqual(actual, expected)) expect({ text, actual }).toEqual({ text, actual: expected });
    }
    // The comparison covered real records, not only misses.
    expect(found).toBeGreaterThan(1_500);
  });
});
