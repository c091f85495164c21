// Clustering of located places (zones are never clustered). The supercluster index is rebuilt only
// when the set of places changes; per-update traffic is summed from the current points by key.

import Supercluster, { type ClusterProperties } from 'supercluster';
import type { LocationPoint, LocationState } from '../model/locations.js';
import { mergeState } from './flow-style.js';

export interface MapItem {
  /** Location key, or "cluster:<id>". */
  key: string;
  lat: number;
  lon: number;
  label: string;
  state: LocationState;
  zone: boolean;
  pulse: boolean;
  bytes: number;
  rate: number;
  connections: number;
  /** Number of places in a cluster (1 for a single place). */
  places: number;
  clusterId: number | null;
  /** Fleet mode: the hosts with traffic here (a cluster: any of its places), sorted. */
  hosts: string[];
}

type Props = { key: string };

/** [west, south, east, north] in degrees. */
export type BBox = [number, number, number, number];
export const WORLD: BBox = [-180, -85, 180, 85];
/**
 * Places outside the view are clustered at this zoom: their arcs still leave home, but thousands of
 * off-screen places cost a handful of arcs instead of thousands when zoomed in.
 */
const OUTSIDE_ZOOM = 2;

function contains(bbox: BBox, lon: number, lat: number): boolean {
  return lon >= bbox[0] && lon <= bbox[2] && lat >= bbox[1] && lat <= bbox[3];
}

export class ClusterIndex {
  // Loaded empty: with no located place at all (only zones) the first items() call does not
  // rebuild, and an unloaded Supercluster throws in getClusters.
  private index = new Supercluster<Props, Props>({ radius: 60, maxZoom: 9 }).load([]);
  private keys = new Set<string>();

  /**
   * Items to draw at `zoom`: clusters at that zoom inside `view`, coarser clusters outside it.
   * `points` must be the current located places (no zones).
   */
  items(points: LocationPoint[], zoom: number, view: BBox = WORLD): MapItem[] {
    const byKey = new Map(points.map((p) => [p.key, p]));
    if (!this.sameKeys(byKey)) this.rebuild(points);
    const level = Math.round(zoom);
    const features = this.index.getClusters(level <= OUTSIDE_ZOOM ? WORLD : view, level);
    if (level > OUTSIDE_ZOOM) {
      for (const feature of this.index.getClusters(WORLD, OUTSIDE_ZOOM)) {
        const [lon, lat] = feature.geometry.coordinates as [number, number];
        if (!contains(view, lon, lat)) features.push(feature);
      }
    }
    const items: MapItem[] = [];
    for (const feature of features) {
      const [lon, lat] = feature.geometry.coordinates as [number, number];
      const props = feature.properties as Props | ClusterProperties;
      if ('cluster' in props && props.cluster) {
        items.push(this.clusterItem(props.cluster_id, lat, lon, byKey));
      } else {
        const point = byKey.get((props as Props).key);
        if (point !== undefined) items.push(pointItem(point));
      }
    }
    return items;
  }

  expansionZoom(clusterId: number): number {
    return this.index.getClusterExpansionZoom(clusterId);
  }

  private clusterItem(id: number, lat: number, lon: number, byKey: Map<string, LocationPoint>): MapItem {
    const item: MapItem = {
      key: `cluster:${id}`, lat, lon, label: '', state: 'unknown', zone: false, pulse: false,
      bytes: 0, rate: 0, connections: 0, places: 0, clusterId: id, hosts: [],
    };
    const hosts = new Set<string>();
    for (const leaf of this.index.getLeaves(id, Infinity)) {
      const point = byKey.get(leaf.properties.key);
      if (point === undefined) continue;
      item.state = item.places === 0 ? point.state : mergeState(item.state, point.state);
      item.pulse ||= point.pulse;
      item.bytes += point.bytes;
      item.rate += point.rate;
      item.connections += point.connections;
      item.places += 1;
      for (const host of point.hosts) hosts.add(host);
    }
    item.hosts = [...hosts].sort();
    item.label = `${item.places} places`;
    return item;
  }

  private sameKeys(byKey: Map<string, LocationPoint>): boolean {
    if (byKey.size !== this.keys.size) return false;
    for (const key of byKey.keys()) if (!this.keys.has(key)) return false;
    return true;
  }

  private rebuild(points: LocationPoint[]): void {
    this.keys = new Set(points.map((p) => p.key));
    this.index = new Supercluster<Props, Props>({ radius: 60, maxZoom: 9 });
    this.index.load(points.map((p) => ({
      type: 'Feature',
      properties: { key: p.key },
      geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
    })));
  }
}

export function pointItem(point: LocationPoint): MapItem {
  return {
    key: point.key, lat: point.lat, lon: point.lon, label: point.label, state: point.state,
    zone: point.zone !== null, pulse: point.pulse, bytes: point.bytes, rate: point.rate,
    connections: point.connections, places: 1, clusterId: null, hosts: point.hosts,
  };
}
