// What the engine knows about a remote address: scope, location (custom locations first, then the
// GeoIP database, which is only consulted for internet addresses unless a custom entry asks for a
// country), ASN and the name it was looked up by.
import type { AsnInfo, GeoInfo, RemoteEndpoint } from '../shared/contract.js';
import type { Geolocator } from './geo/geolocator.js';
import { Interner } from './interner.js';
import type { CustomLocations } from './locations/custom-locations.js';
import { scopeOf } from './scope/scope.js';

export interface EnrichmentSources {
  geolocator: Geolocator;
  locations: CustomLocations;
  asnOf: (ip: string) => AsnInfo | null;
  hostFor: (ip: string) => string | null;
  onLookupError: (message: string) => void;
}

export function createDescriber(sources: EnrichmentSources): (ip: string) => Omit<RemoteEndpoint, 'ip' | 'port'> {
  const places = new Interner<GeoInfo>(16_384);
  const networks = new Interner<AsnInfo>(16_384);
  const databaseGeo = (ip: string): GeoInfo | null => {
    try {
      return sources.geolocator.lookup(ip);
    } catch (error) {
      // A database that parses at open but has a corrupt record: that lookup has no location.
      sources.onLookupError(`GeoIP lookup of ${ip} failed: ${(error as Error).message}`);
      return null;
    }
  };
  return (ip) => {
    const scope = scopeOf(ip);
    const isPublic = scope === 'internet';
    const located = sources.locations.locate(ip, () => (isPublic ? databaseGeo(ip) : null)) ?? (isPublic ? databaseGeo(ip) : null);
    const geo = places.get(located, (place) => `${place.country}|${place.city ?? ''}|${place.lat}|${place.lon}`);
    const asn = networks.get(isPublic ? sources.asnOf(ip) : null, (network) => `${network.number}|${network.org}`);
    return { host: sources.hostFor(ip), scope, geo, asn };
  };
}
