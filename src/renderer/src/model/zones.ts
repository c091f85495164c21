// Placeholder zones for addresses without a location, Little Snitch style: in the Atlantic, away
// from land and from 0,0, so their arcs stay visible and are never mistaken for a real place.

import type { ConnectionEvent } from '../../../shared/contract.js';

export type ZoneId = 'private' | 'multicast' | 'unknown';

export interface Zone {
  id: ZoneId;
  label: string;
  lat: number;
  lon: number;
}

export const ZONES: Readonly<Record<ZoneId, Zone>> = {
  private: { id: 'private', label: 'Private network', lat: 38, lon: -42 },
  multicast: { id: 'multicast', label: 'Multicast / broadcast', lat: 28, lon: -46 },
  unknown: { id: 'unknown', label: 'Unknown location', lat: 18, lon: -38 },
};

/** The zone of a connection whose remote end has no usable location, or null if it has one. */
export function zoneOf(event: ConnectionEvent): ZoneId | null {
  const geo = event.remote.geo;
  if (geo !== null && Number.isFinite(geo.lat) && Number.isFinite(geo.lon) && Math.abs(geo.lat) <= 90 &&
    Math.abs(geo.lon) <= 180) {
    return null;
  }
  switch (event.remote.scope) {
    case 'lan':
    case 'loopback':
    case 'link-local':
      return 'private';
    case 'multicast':
      return 'multicast';
    default:
      return 'unknown';
  }
}
