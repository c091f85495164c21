import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GeoDatabaseError, MAX_MMDB_BYTES } from '../../../src/core/geo/mmdb-file.js';
import { bundledDbipDir, createGeolocator, DBIP_ATTRIBUTION, GEOLITE2_ATTRIBUTION } from '../../../src/core/geo/geolocator.js';
import { geoFromRecord } from '../../../src/core/geo/record.js';
import { writeMmdb } from './fakes/mmdb-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'snitchmap-geo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function geolite2File(): string {
  const path = join(dir, 'GeoLite2-City.mmdb');
  const city = (name: string, iso: string, lat: number, lon: number) => ({
    city: { geoname_id: 1, names: { en: name, de: `${name}-de` } },
    country: { iso_code: iso, names: { en: iso } },
    location: { latitude: lat, longitude: lon, accuracy_radius: 20 },
  });
  writeFileSync(path, writeMmdb(
    [
      ['81.2.69.0/24', city('London', 'GB', 51.5142, -0.0931)],
      ['2a02:d000::/29', city('Zürich', 'CH', 47.37, 8.54)],
      ['89.160.20.0/24', { registered_country: { iso_code: 'SE' }, location: { latitude: 59.33, longitude: 18.06 } }],
      ['1.1.1.0/24', { country: { iso_code: 'AU' } }],
    ],
    { databaseType: 'GeoLite2-City', buildEpoch: Date.UTC(2026, 0, 15, 12) / 1000 },
  ));
  return path;
}

describe('GeoIP, MaxMind GeoLite2 schema (written by the test)', () => {
  const warnings: string[] = [];
  const geo = createGeolocator({ geoipPath: geolite2File(), onWarning: (message) => warnings.push(message) });

  it('reads name and build date from the metadata', () => {
    expect(warnings).toEqual([]);
    expect(geo.info).toEqual({ database: 'GeoLite2-City', built: '2026-01-15', attribution: GEOLITE2_ATTRIBUTION });
  });

  it('locates IPv4 and IPv6 addresses from the nested schema', () => {
    expect(geo.lookup('81.2.69.160')).toEqual({ country: 'GB', city: 'London', lat: 51.5142, lon: -0.0931 });
    expect(geo.lookup('::ffff:81.2.69.1')).toEqual({ country: 'GB', city: 'London', lat: 51.5142, lon: -0.0931 });
    expect(geo.lookup('2a02:d000::1')).toEqual({ country: 'CH', city: 'Zürich', lat: 47.37, lon: 8.54 });
  });

  it('falls back to the registered country, and gives no location without coordinates', () => {
    expect(geo.lookup('89.160.20.5')).toEqual({ country: 'SE', city: null, lat: 59.33, lon: 18.06 });
    expect(geo.lookup('1.1.1.1')).toBeNull();
    expect(geo.lookup('8.8.8.8')).toBeNull();
    expect(geo.lookup('junk')).toBeNull();
  });
});

describe('GeoIP, bundled DB-IP City Lite (flat schema)', () => {
  const warnings: string[] = [];
  const geo = createGeolocator({ systemPaths: [], onWarning: (message) => warnings.push(message) });

  it('reports DB-IP with its attribution and build date', () => {
    expect(warnings).toEqual([]);
    expect(bundledDbipDir()).not.toBeNull();
    expect(geo.info?.database).toBe('DB-IP City Lite');
    expect(geo.info?.attribution).toBe(DBIP_ATTRIBUTION);
    expect(geo.info?.built).toMatch(/^20\d\d-\d\d-\d\d$/);
  });

  it.each([
    ['8.8.8.8', 'US'],
    ['1.1.1.1', 'AU'],
    ['9.9.9.9', 'US'],
    ['193.0.6.139', 'NL'],
    ['2a00:1450:4001::1', 'DE'],
    ['2620:fe::fe', 'US'],
    ['::ffff:8.8.4.4', 'US'],
  ])('%s is in %s', (ip, country) => {
    const found = geo.lookup(ip);
    expect(found?.country).toBe(country);
    expect(Math.abs(found?.lat ?? 999)).toBeLessThanOrEqual(90);
    expect(Math.abs(found?.lon ?? 999)).toBeLessThanOrEqual(180);
  });
});

describe('GeoIP failures', () => {
  it('a corrupt --geoip file throws a clear error that names the file and quotes none of it', () => {
    const path = join(dir, 'corrupt.mmdb');
    writeFileSync(path, Buffer.from('SECRET this is not a maxmind database at all'.repeat(50)));
    const geo = () => createGeolocator({ geoipPath: path, onWarning: () => undefined });
    expect(geo).toThrow(GeoDatabaseError);
    expect(geo).toThrow(`${path} is not a valid MaxMind DB (.mmdb) file`);
    expect(geo).not.toThrow(/SECRET/);
  });

  it('a truncated database is refused the same way', () => {
    const path = join(dir, 'truncated.mmdb');
    writeFileSync(path, geolite2FileBytes().subarray(0, 40));
    expect(() => createGeolocator({ geoipPath: path, onWarning: () => undefined })).toThrow('not a valid MaxMind DB');
  });

  it('a missing file is a clear error', () => {
    expect(() => createGeolocator({ geoipPath: join(dir, 'nope.mmdb'), onWarning: () => undefined })).toThrow(/cannot read GeoIP database .*nope\.mmdb.*ENOENT/);
  });

  it('refuses a FIFO at once (no hang) and /dev/zero (no unbounded read)', () => {
    const fifo = join(dir, 'geo.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => createGeolocator({ geoipPath: fifo, onWarning: () => undefined })).toThrow(`GeoIP database ${fifo} is not a regular file`);
    expect(() => createGeolocator({ geoipPath: '/dev/zero', onWarning: () => undefined })).toThrow('GeoIP database /dev/zero is not a regular file');
  });

  it('refuses a file past the size cap before reading it', () => {
    const huge = join(dir, 'huge.mmdb');
    writeFileSync(huge, '');
    truncateSync(huge, MAX_MMDB_BYTES + 1); // sparse: no disk used
    expect(() => createGeolocator({ geoipPath: huge, onWarning: () => undefined })).toThrow(`GeoIP database ${huge} is larger than ${MAX_MMDB_BYTES} bytes`);
  });

  it('a corrupt system database is skipped for the next one', () => {
    const bad = join(dir, 'bad-system.mmdb');
    writeFileSync(bad, 'garbage');
    const warnings: string[] = [];
    const geo = createGeolocator({ systemPaths: [bad, geolite2File()], onWarning: (message) => warnings.push(message) });
    expect(geo.info?.database).toBe('GeoLite2-City');
    expect(warnings).toHaveLength(1);
  });

  it('no database at all: a warning, and the engine has no locations', () => {
    const warnings: string[] = [];
    const geo = createGeolocator({ systemPaths: [], dbipDir: null, onWarning: (message) => warnings.push(message) });
    expect(geo.info).toBeNull();
    expect(warnings[0]).toContain('no GeoIP database');
  });

  it('records with out-of-range or missing fields give no location', () => {
    expect(geoFromRecord({ latitude: 91, longitude: 0, country_code: 'US' })).toBeNull();
    expect(geoFromRecord({ latitude: 10, longitude: 20, country_code: 'USA' })).toEqual({ country: 'ZZ', city: null, lat: 10, lon: 20 });
    expect(geoFromRecord('text')).toBeNull();
    expect(geoFromRecord(null)).toBeNull();
  });
});

function geolite2FileBytes(): Buffer {
  return writeMmdb([['81.2.69.0/24', { location: { latitude: 1, longitude: 2 } }]], { databaseType: 'GeoLite2-City', buildEpoch: 0 });
}

describe('GeoIP, DB-IP file pair opened lazily per family', () => {
  it('reads a family\'s file only on its first lookup', () => {
    const pair = mkdtempSync(join(dir, 'dbip-'));
    const flat = (city: string) => ({ country_code: 'FR', city, latitude: 48.85, longitude: 2.35, state1: '', postcode: '' });
    writeFileSync(join(pair, 'dbip-city-ipv4.mmdb'), writeMmdb([['192.0.2.0/24', flat('Paris v4')]], { databaseType: 'city ipv4', buildEpoch: Date.UTC(2026, 5, 5) / 1000 }));
    writeFileSync(join(pair, 'dbip-city-ipv6.mmdb'), writeMmdb([['2001:db8::/32', flat('Paris v6')]], { databaseType: 'city ipv6', buildEpoch: Date.UTC(2026, 5, 5) / 1000 }));
    const warnings: string[] = [];
    const geo = createGeolocator({ systemPaths: [], dbipDir: pair, onWarning: (message) => warnings.push(message) });
    expect(geo.info).toEqual({ database: 'DB-IP City Lite', built: '2026-06-05', attribution: DBIP_ATTRIBUTION });
    // Replaced after creation: the v4 file is read now, at its first lookup, so the change shows.
    writeFileSync(join(pair, 'dbip-city-ipv4.mmdb'), writeMmdb([['192.0.2.0/24', flat('Lyon v4')]], { databaseType: 'city ipv4', buildEpoch: 0 }));
    expect(geo.lookup('192.0.2.1')).toEqual({ country: 'FR', city: 'Lyon v4', lat: 48.85, lon: 2.35 });
    // The v6 file turns corrupt before its first use: a warning, IPv6 without locations, IPv4 unaffected.
    writeFileSync(join(pair, 'dbip-city-ipv6.mmdb'), 'corrupt');
    expect(geo.lookup('2001:db8::1')).toBeNull();
    expect(geo.lookup('2001:db8::2')).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/dbip-city-ipv6\.mmdb is not a valid MaxMind DB.*IPv6 addresses will have no location/);
    expect(geo.lookup('192.0.2.9')?.city).toBe('Lyon v4');
  });
});
