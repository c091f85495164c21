// Aggregation of connections by remote location: one map point per place (rounded coordinates) or
// per placeholder zone, with the totals and the state that decide how it is drawn.

import type { ConnectionView } from './connection-view.js';
import { ZONES, type ZoneId } from './zones.js';

/** How a location is drawn; the map distinguishes them by dash pattern, width and symbol. */
export type LocationState = 'active' | 'closed' | 'local' | 'unknown';

export interface LocationPoint {
  key: string;
  lat: number;
  lon: number;
  /** "City, CC", "CC", or the zone label. */
  label: string;
  zone: ZoneId | null;
  state: LocationState;
  connections: number;
  open: number;
  bytes: number;
  /** Bytes per second, summed over the connections here. */
  rate: number;
  /** Bytes moved in the latest batch (arc pulses). */
  pulse: boolean;
  lastSeen: number;
  /** Fleet mode: the hosts (`instance`) with traffic here, sorted; each one's arc leaves its own home. Empty otherwise. */
  hosts: string[];
}

export function locationKey(view: ConnectionView): string {
  return view.locationKey;
}

function isLocal(view: ConnectionView): boolean {
  const scope = view.event.remote.scope;
  return scope === 'lan' || scope === 'loopback' || scope === 'link-local' || scope === 'multicast';
}

function stateOf(point: LocationPoint, anyInternet: boolean): LocationState {
  if (point.zone === 'unknown') return 'unknown';
  if (point.open === 0) return 'closed';
  return anyInternet ? 'active' : 'local';
}

export function aggregateLocations(views: Iterable<ConnectionView>, batch: number): LocationPoint[] {
  const points = new Map<string, LocationPoint>();
  const internet = new Set<string>();
  const hosts = new Map<string, Set<string>>();
  for (const view of views) {
    const key = view.locationKey;
    let point = points.get(key);
    if (point === undefined) {
      const zone = view.zone;
      const geo = view.event.remote.geo;
      const place = zone !== null ? ZONES[zone] : null;
      point = {
        key,
        lat: place?.lat ?? geo?.lat ?? 0,
        lon: place?.lon ?? geo?.lon ?? 0,
        label: place?.label ?? placeLabel(view),
        zone,
        state: 'active',
        connections: 0,
        open: 0,
        bytes: 0,
        rate: 0,
        pulse: false,
        lastSeen: 0,
        hosts: [],
      };
      points.set(key, point);
    }
    point.connections += 1;
    if (view.closedAt === null) point.open += 1;
    point.bytes += view.event.txBytes + view.event.rxBytes;
    point.rate += view.txRate + view.rxRate;
    point.pulse ||= view.movedInBatch === batch && view.closedAt === null;
    point.lastSeen = Math.max(point.lastSeen, view.lastSeen);
    if (!isLocal(view)) internet.add(key);
    const instance = view.event.instance;
    if (instance !== undefined) {
      const here = hosts.get(key) ?? new Set<string>();
      hosts.set(key, here.add(instance));
    }
  }
  const result = [...points.values()];
  for (const point of result) {
    point.state = stateOf(point, internet.has(point.key));
    point.hosts = [...(hosts.get(point.key) ?? [])].sort();
  }
  return result;
}

function placeLabel(view: ConnectionView): string {
  const geo = view.event.remote.geo;
  if (geo === null) return 'Unknown location';
  return geo.city === null ? geo.country : `${geo.city}, ${geo.country}`;
}
