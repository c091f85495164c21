// Where each fleet host is: --fleet-homes (exact instance, then its host part), a `home` target
// label, the home the host exports (set, then time-zone guess), else no home — listed, never put at
// 0,0. And the --fleet-homes file: bad entries reported by line and skipped, a bad file refused.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFileError } from '../../../src/core/config/input-file.js';
import { FleetHomes, instanceHost, parseFleetHomes, readFleetHomesFile } from '../../../src/core/fleet/fleet-homes-file.js';
import { exportedHomes, fleetHosts, parseHomeLabel } from '../../../src/core/fleet/fleet-hosts.js';
import type { Sample } from '../../../src/core/fleet/prometheus-api.js';

const sample = (metric: Record<string, string>, value = 1, ts = 10_000): Sample => ({ metric, value, ts });
const NO_FILE = new FleetHomes([]);
const dir = mkdtempSync(join(tmpdir(), 'sm-fleet-homes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('home labels', () => {
  it('reads home="LAT,LON[,LABEL]", naming the home after the instance without a label, refusing bad coordinates', () => {
    expect(parseHomeLabel('48.85,2.35,Paris lab', 'a')).toEqual({ lat: 48.85, lon: 2.35, label: 'Paris lab' });
    expect(parseHomeLabel(' -33.9 , 18.4 ', 'web1:9464')).toEqual({ lat: -33.9, lon: 18.4, label: 'web1:9464' });
    expect(parseHomeLabel('91,0', 'a')).toBeNull();
    expect(parseHomeLabel('0,181', 'a')).toBeNull();
    expect(parseHomeLabel('paris', 'a')).toBeNull();
    expect(parseHomeLabel(undefined, 'a')).toBeNull();
  });

  it('takes exported homes that are places: set before a time-zone guess, never the Greenwich placeholder', () => {
    const homes = exportedHomes([
      sample({ instance: 'a', lat: '35.68', lon: '139.69', label: 'Tokyo (from time zone Asia/Tokyo)', source: 'time-zone' }),
      sample({ instance: 'a', lat: '40.71', lon: '-74.01', label: 'Home', source: 'set' }),
      sample({ instance: 'b', lat: '51.4779', lon: '-0.0015', label: 'Greenwich (no time zone location)', source: 'none' }),
      sample({ instance: 'c', lat: 'NaN', lon: '2', label: 'x', source: 'set' }),
      sample({ instance: 'd', lat: '1', lon: '2', label: '', source: 'time-zone' }),
    ]);
    expect([...homes]).toEqual([
      ['a', { home: { lat: 40.71, lon: -74.01, label: 'Home' }, source: 'host' }],
      ['d', { home: { lat: 1, lon: 2, label: 'd' }, source: 'time-zone' }],
    ]);
  });
});

describe('fleet hosts', () => {
  const exported = exportedHomes([
    sample({ instance: 'a:9464', lat: '40.71', lon: '-74.01', label: 'Home', source: 'set' }),
    sample({ instance: 'b:9464', lat: '35.68', lon: '139.69', label: 'Tokyo (from time zone Asia/Tokyo)', source: 'time-zone' }),
    sample({ instance: 'c:9464', lat: '51.4779', lon: '-0.0015', label: 'Greenwich (no time zone location)', source: 'none' }),
  ]);
  const samples = {
    capture: [sample({ instance: 'a:9464' }), sample({ instance: 'b:9464', home: '-33.9,18.4,Cape Town' }), sample({ instance: 'c:9464' })],
    up: [sample({ instance: 'a:9464' }, 1), sample({ instance: 'b:9464', home: '-33.9,18.4,Cape Town' }, 1), sample({ instance: 'c:9464' }, 1), sample({ instance: 'd:9464' }, 0)],
    scraped: [sample({ instance: 'a:9464' }, 9.2), sample({ instance: 'd:9464' }, 4)],
  };

  it('resolves each host from the strongest source and lists the homeless with no home at all', () => {
    const file = new FleetHomes([
      { instance: 'a', home: { lat: 48.85, lon: 2.35, label: 'Paris (file, host part)' } },
      { instance: 'x:1', home: { lat: 0, lon: 0, label: 'not a host of this fleet' } },
    ]);
    expect(fleetHosts(samples, file, exported)).toEqual([
      { instance: 'a:9464', up: true, scrapeAgeMs: 800, home: { lat: 48.85, lon: 2.35, label: 'Paris (file, host part)' }, homeSource: 'file' },
      { instance: 'b:9464', up: true, scrapeAgeMs: null, home: { lat: -33.9, lon: 18.4, label: 'Cape Town' }, homeSource: 'label' },
      { instance: 'c:9464', up: true, scrapeAgeMs: null, home: null, homeSource: null },
      { instance: 'd:9464', up: false, scrapeAgeMs: 6000, home: null, homeSource: null },
    ]);
  });

  it("falls back to the host's own home, then its time-zone guess", () => {
    const hosts = fleetHosts({ ...samples, capture: [sample({ instance: 'b:9464' })], up: [sample({ instance: 'a:9464' }), sample({ instance: 'b:9464' })] }, NO_FILE, exported);
    expect(hosts.map((h) => [h.instance, h.homeSource, h.home?.label])).toEqual([
      ['a:9464', 'host', 'Home'],
      ['b:9464', 'time-zone', 'Tokyo (from time zone Asia/Tokyo)'],
    ]);
  });

  it('lists a host Prometheus has series for but no `up` (a scrape config without the job label) as unknown, not up', () => {
    expect(fleetHosts({ capture: [sample({ instance: 'z' })], up: [], scraped: [] }, NO_FILE, new Map())).toEqual([
      { instance: 'z', up: null, scrapeAgeMs: null, home: null, homeSource: null },
    ]);
  });
});

describe('--fleet-homes file', () => {
  it('keeps good entries, reports bad ones by line, and matches the exact instance before its host part', () => {
    const warnings: string[] = [];
    const text = '[\n  {"instance": "web1", "label": "Paris", "lat": 48.85, "lon": 2.35},\n  {"instance": "web1:9100", "label": "Lyon", "lat": 45.76, "lon": 4.84},\n  {"instance": "", "label": "x", "lat": 0, "lon": 0},\n  {"instance": "web2", "label": "x", "lat": 95, "lon": 0}\n]';
    const homes = new FleetHomes(parseFleetHomes(text, 'homes.json', (w) => warnings.push(w)));
    expect(homes.size).toBe(2);
    expect(homes.homeOf('web1:9464')).toEqual({ lat: 48.85, lon: 2.35, label: 'Paris' });
    expect(homes.homeOf('web1:9100')).toEqual({ lat: 45.76, lon: 4.84, label: 'Lyon' });
    expect(homes.homeOf('web2:9464')).toBeNull();
    expect(warnings).toEqual([
      expect.stringMatching(/^homes\.json:4: entry 3 skipped: "instance" must be/),
      expect.stringMatching(/^homes\.json:5: entry 4 skipped: "lat" must be/),
    ]);
    expect(instanceHost('[2001:db8::1]:9464')).toBe('[2001:db8::1]');
    expect(instanceHost('web1')).toBe('web1');
  });

  it('refuses a file that is not a JSON array, is missing, or is not a regular file, without quoting it', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"SECRET": 1}');
    expect(() => readFleetHomesFile(bad, () => undefined)).toThrow(InputFileError);
    expect(() => readFleetHomesFile(bad, () => undefined)).toThrow(/expected a JSON array/);
    writeFileSync(bad, 'SECRET not json');
    expect(() => readFleetHomesFile(bad, () => undefined)).toThrow(/not valid JSON$/);
    expect(() => readFleetHomesFile(join(dir, 'missing.json'), () => undefined)).toThrow(/ENOENT/);
    expect(() => readFleetHomesFile(dir, () => undefined)).toThrow(/not a regular file/);
  });
});
