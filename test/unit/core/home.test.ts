import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfigFile } from '../../../src/core/config/config-file.js';
import { FALLBACK_HOME, guessHome, parseHomeArgument, systemZone } from '../../../src/core/home/home.js';
import { loadZoneTable, parseIso6709 } from '../../../src/core/home/zone-table.js';

const dir = mkdtempSync(join(tmpdir(), 'snitchmap-home-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('home from the time zone (tzdata tables on this machine)', () => {
  const table = loadZoneTable();

  it.each([
    ['Europe/Paris', 48.87, 2.33, 'Paris'],
    ['America/New_York', 40.71, -74.01, 'New York'],
    ['Asia/Tokyo', 35.65, 139.74, 'Tokyo'],
    ['Australia/Sydney', -33.87, 151.22, 'Sydney'],
    ['America/Sao_Paulo', -23.53, -46.62, 'Sao Paulo'],
    ['US/Eastern', 40.71, -74.01, 'Eastern'],
    ['Asia/Calcutta', 22.53, 88.37, 'Calcutta'],
  ])('%s', (zone, lat, lon, city) => {
    const home = guessHome(zone, table);
    expect(home.lat).toBeCloseTo(lat, 1);
    expect(home.lon).toBeCloseTo(lon, 1);
    expect(home.label).toContain(city);
  });

  it('UTC, unknown zones and no zone fall back to Greenwich, labelled as such', () => {
    expect(guessHome('Etc/UTC', table)).toEqual(FALLBACK_HOME);
    expect(guessHome('Mars/Olympus_Mons', table)).toEqual(FALLBACK_HOME);
    expect(guessHome(null, table)).toEqual(FALLBACK_HOME);
  });

  it('parses ISO 6709 with and without seconds', () => {
    expect(parseIso6709('+4852+00220')).toEqual({ lat: 48 + 52 / 60, lon: 2 + 20 / 60 });
    expect(parseIso6709('-334430-0585420')?.lat).toBeCloseTo(-(33 + 44 / 60 + 30 / 3600), 6);
    expect(parseIso6709('garbage')).toBeNull();
  });
});

describe('systemZone', () => {
  it('prefers TZ (with or without the leading colon or a zoneinfo path)', () => {
    expect(systemZone({ env: { TZ: 'Asia/Tokyo' } })).toBe('Asia/Tokyo');
    expect(systemZone({ env: { TZ: ':Europe/Berlin' } })).toBe('Europe/Berlin');
    expect(systemZone({ env: { TZ: '/usr/share/zoneinfo/America/Chicago' } })).toBe('America/Chicago');
  });

  it('reads the /etc/localtime symlink, then /etc/timezone', () => {
    const link = join(dir, 'localtime');
    symlinkSync('/usr/share/zoneinfo/Europe/Madrid', link);
    expect(systemZone({ env: {}, localtimePath: link })).toBe('Europe/Madrid');
    const file = join(dir, 'timezone');
    writeFileSync(file, 'Africa/Nairobi\n');
    expect(systemZone({ env: {}, localtimePath: join(dir, 'absent'), timezonePath: file })).toBe('Africa/Nairobi');
    expect(systemZone({ env: {}, localtimePath: join(dir, 'absent'), timezonePath: join(dir, 'absent') })).toBeNull();
  });
});

describe('home from --home and config.json', () => {
  it('parses LAT,LON and refuses out-of-range or junk', () => {
    expect(parseHomeArgument('48.85,2.35')).toEqual({ lat: 48.85, lon: 2.35, label: 'Home' });
    expect(parseHomeArgument(' -33.9 , 151.2 ')).toEqual({ lat: -33.9, lon: 151.2, label: 'Home' });
    for (const junk of ['91,0', '0,181', 'a,b', '1', '1,2,3', '']) expect(parseHomeArgument(junk)).toBeNull();
  });

  it('reads home from config.json and reports a broken one', () => {
    const good = mkdtempSync(join(dir, 'good-'));
    writeFileSync(join(good, 'config.json'), JSON.stringify({ home: { lat: 1.5, lon: 2.5, label: 'Office' } }));
    expect(readConfigFile(good, () => undefined).home).toEqual({ lat: 1.5, lon: 2.5, label: 'Office' });
    const bad = mkdtempSync(join(dir, 'bad-'));
    writeFileSync(join(bad, 'config.json'), JSON.stringify({ home: { lat: 100, lon: 0 } }));
    const warnings: string[] = [];
    expect(readConfigFile(bad, (message) => warnings.push(message)).home).toBeNull();
    expect(warnings[0]).toContain('"home" must be');
    writeFileSync(join(bad, 'config.json'), '{nope');
    expect(readConfigFile(bad, (message) => warnings.push(message)).home).toBeNull();
    expect(warnings[1]).toContain('not valid JSON');
    expect(readConfigFile(join(dir, 'no-such-dir'), (message) => warnings.push(message)).home).toBeNull();
    expect(warnings).toHaveLength(2);
  });
});
