// Loading what the engine enriches with: home, custom locations, GeoIP database, ASN table. Each
// failure is a warning and a degraded feature (no locations, no ASN), never a failed start, except
// for a file the user named (--locations, --geoip): that one throws InputFileError, since running
// without what was asked for would look like it worked.
import { join } from 'node:path';
import type { AsnInfo, Home, HomeSource } from '../shared/contract.js';
import { ASN_ATTRIBUTION, loadAsnTable } from './asn/asn-table.js';
import { readConfigFile } from './config/config-file.js';
import { defaultAsnTablePath, defaultConfigDir } from './config/paths.js';
import type { EngineOptions } from './engine-types.js';
import { createGeolocator, type Geolocator, type GeolocatorOptions } from './geo/geolocator.js';
import { FALLBACK_HOME, guessHome, systemZone } from './home/home.js';
import { CustomLocations, readLocationsFile } from './locations/custom-locations.js';

export interface EnrichmentFactories {
  geolocator: (options: GeolocatorOptions) => Geolocator;
  /** Path of build/data/asn.bin, or null when it was not built. */
  asnTablePath: string | null;
  guessHome: () => Home;
}

export interface Enrichment {
  home: Home;
  homeSource: HomeSource;
  /** Credits of the data sources actually loaded. */
  attributions: string[];
  geolocator: Geolocator;
  locations: CustomLocations;
  asnOf: (ip: string) => AsnInfo | null;
}

function loadAsn(path: string | null, warn: (message: string) => void): ((ip: string) => AsnInfo | null) | null {
  if (path === null) {
    warn('ASN table build/data/asn.bin not found (run scripts/build-data.sh); running without ASN');
    return null;
  }
  try {
    const table = loadAsnTable(path);
    return (ip) => table.lookup(ip);
  } catch (error) {
    warn(`${(error as Error).message}; running without ASN`);
    return null;
  }
}

export function loadEnrichment(options: EngineOptions, warn: (message: string) => void, factories: Partial<EnrichmentFactories>): Enrichment {
  const configDir = options.configDir ?? defaultConfigDir();
  const config = readConfigFile(configDir, warn);
  const set = options.home
    ? { lat: options.home.lat, lon: options.home.lon, label: options.home.label ?? 'Home' }
    : config.home ?? null;
  const home = set ?? (factories.guessHome ?? (() => guessHome(systemZone())))();
  // The Greenwich placeholder is no place: a fleet map must not draw this host there.
  const homeSource: HomeSource = set !== null ? 'set' : home === FALLBACK_HOME ? 'none' : 'time-zone';
  const entries = [
    ...(options.locationsPath !== undefined ? readLocationsFile(options.locationsPath, warn, true) : []),
    ...readLocationsFile(join(configDir, 'locations.json'), warn, false),
  ];
  const geolocatorOptions: GeolocatorOptions = { onWarning: warn, ...(options.geoipPath !== undefined ? { geoipPath: options.geoipPath } : {}) };
  const geolocator = (factories.geolocator ?? createGeolocator)(geolocatorOptions);
  const asnOf = loadAsn(factories.asnTablePath === undefined ? defaultAsnTablePath() : factories.asnTablePath, warn);
  const attributions = [...(geolocator.info ? [geolocator.info.attribution] : []), ...(asnOf ? [ASN_ATTRIBUTION] : [])];
  return {
    home,
    homeSource,
    attributions,
    geolocator,
    locations: new CustomLocations(entries),
    asnOf: asnOf ?? (() => null),
  };
}
