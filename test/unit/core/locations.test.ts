import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { arrayElementLines } from '../../../src/core/locations/json-lines.js';
import { CustomLocations, MAX_LOCATIONS_BYTES, parseLocations, readLocationsFile } from '../../../src/core/locations/custom-locations.js';

const dir = mkdtempSync(join(tmpdir(), 'snitchmap-locations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseLocations', () => {
  it('reports each invalid entry with its line and keeps the valid ones', () => {
    const text = [
      '[',
      '  {"cidr": "198.51.100.0/24", "label": "Lab", "lat": 48.85, "lon": 2.35},',
      '  {"cidr": "10.0.0.0/33", "label": "Bad prefix", "lat": 1, "lon": 1},',
      '  {"cidr": "10.1.0.0/16", "label": "", "lat": 1, "lon": 1},',
      '  {"cidr": "10.2.0.0/16", "label": "Too far north",',
      '   "lat": 91, "lon": 1},',
      '  {"cidr": "10.3.0.0/16", "label": "x", "lat": 1, "lon": "2"},',
      '  "just a string",',
      '  {"cidr": "10.4.0.0/16", "label": "x", "lat": 1, "lon": 2, "country": "France"},',
      '  {"cidr": "fd00::/8", "label": "Office \\"B\\", [floor 2]", "lat": -33.9, "lon": 151.2, "country": "au"}',
      ']',
    ].join('\n');
    const warnings: string[] = [];
    const entries = parseLocations(text, 'locs.json', (message) => warnings.push(message));
    expect(entries.map((entry) => entry.label)).toEqual(['Lab', 'Office "B", [floor 2]']);
    expect(entries[1]?.country).toBe('AU');
    expect(warnings).toEqual([
      '"locs.json:3: entry 2 skipped: "cidr" is not an IPv4 or IPv6 prefix'.slice(1),
      expect.stringMatching(/^locs\.json:4: entry 3 skipped: "label"/),
      expect.stringMatching(/^locs\.json:5: entry 4 skipped: "lat"/),
      expect.stringMatching(/^locs\.json:7: entry 5 skipped: "lon"/),
      expect.stringMatching(/^locs\.json:8: entry 6 skipped: not an object/),
      expect.stringMatching(/^locs\.json:9: entry 7 skipped: "country"/),
    ]);
  });

  it('refuses a file that is not JSON or not an array, by line and without quoting it', () => {
    const warn = () => undefined;
    expect(() => parseLocations('[\n{"cidr": 1', 'a.json', warn)).toThrow(/^a\.json: not valid JSON \(line 2\)$/);
    // JSON.parse's own message would quote the text ("root:SECRET…" is not valid JSON).
    expect(() => parseLocations('root:SECRET:0:0', 'a.json', warn)).toThrow(/^a\.json: not valid JSON$/);
    expect(() => parseLocations('[\n{"cidr": SECRET', 'a.json', warn)).toThrow(/^a\.json: not valid JSON$/);
    expect(() => parseLocations('{"cidr": "10.0.0.0/8"}', 'b.json', warn)).toThrow(/^b\.json: expected a JSON array/);
  });

  it('finds element lines through nested values and strings with brackets', () => {
    expect(arrayElementLines('[\n{"a": [1, {"b": "],{"}]},\n\n 2, "x,y"\n]')).toEqual([2, 4, 4]);
    expect(arrayElementLines('[]')).toEqual([]);
  });

  it('a missing optional file is silent; a missing --locations file is an error', () => {
    const warnings: string[] = [];
    expect(readLocationsFile(join(dir, 'none.json'), (message) => warnings.push(message), false)).toEqual([]);
    expect(warnings).toEqual([]);
    expect(() => readLocationsFile(join(dir, 'none.json'), () => undefined, true)).toThrow(/cannot read locations file .*none\.json: ENOENT/);
  });

  it('refuses FIFOs (no hang), devices (no unbounded read) and oversized files; a broken optional file is a warning', () => {
    const fifo = join(dir, 'locations.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => readLocationsFile(fifo, () => undefined, true)).toThrow(`locations file ${fifo} is not a regular file`);
    expect(() => readLocationsFile('/dev/zero', () => undefined, true)).toThrow('locations file /dev/zero is not a regular file');
    const big = join(dir, 'big.json');
    writeFileSync(big, `[${' '.repeat(MAX_LOCATIONS_BYTES)}]`);
    expect(() => readLocationsFile(big, () => undefined, true)).toThrow(`locations file ${big} is larger than ${MAX_LOCATIONS_BYTES} bytes`);
    const warnings: string[] = [];
    expect(readLocationsFile(fifo, (message) => warnings.push(message), false)).toEqual([]);
    expect(warnings).toEqual([`locations file ${fifo} is not a regular file; no custom locations read from it`]);
  });

  it('reads a file from disk', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify([{ cidr: '192.0.2.0/24', label: 'Doc', lat: 1, lon: 2 }]));
    expect(readLocationsFile(path, () => undefined, true)).toHaveLength(1);
  });
});

describe('CustomLocations', () => {
  const entries = parseLocations(JSON.stringify([
    { cidr: '10.0.0.0/8', label: 'Corp', lat: 10, lon: 10 },
    { cidr: '10.20.0.0/16', label: 'Paris office', lat: 48.85, lon: 2.35, country: 'FR' },
    { cidr: '10.20.30.0/24', label: 'Paris lab', lat: 48.86, lon: 2.36 },
    { cidr: '8.8.8.8/32', label: 'Resolver', lat: 1, lon: 2 },
    { cidr: '2001:db8::/32', label: 'Doc v6', lat: 3, lon: 4 },
    { cidr: '10.20.0.0/16', label: 'Shadowed duplicate', lat: 0, lon: 0 },
  ]), 'test', () => undefined);
  const locations = new CustomLocations(entries);

  it('longest prefix wins; equal prefixes keep the first', () => {
    expect(locations.match('10.20.30.40')?.label).toBe('Paris lab');
    expect(locations.match('10.20.99.1')?.label).toBe('Paris office');
    expect(locations.match('10.99.0.1')?.label).toBe('Corp');
    expect(locations.match('::ffff:10.20.30.1')?.label).toBe('Paris lab');
    expect(locations.match('2001:db8::5')?.label).toBe('Doc v6');
    expect(locations.match('11.0.0.1')).toBeNull();
  });

  it('country: the entry, else the database, else ZZ', () => {
    expect(locations.locate('10.20.1.1', () => ({ country: 'DE', city: null, lat: 0, lon: 0 }))).toEqual({ country: 'FR', city: 'Paris office', lat: 48.85, lon: 2.35 });
    expect(locations.locate('8.8.8.8', () => ({ country: 'US', city: 'Mountain View', lat: 37, lon: -122 }))).toEqual({ country: 'US', city: 'Resolver', lat: 1, lon: 2 });
    expect(locations.locate('10.1.1.1', () => null)).toEqual({ country: 'ZZ', city: 'Corp', lat: 10, lon: 10 });
    expect(locations.locate('11.1.1.1', () => null)).toBeNull();
  });
});
