// How a location's state is drawn. States differ by dash pattern, width, opacity and marker fill,
// not by colour alone (colour-blind users, grey-scale screenshots).

import type L from 'leaflet';
import type { LocationState } from '../model/locations.js';

export const ARC_STYLE: Readonly<Record<LocationState, L.PolylineOptions>> = {
  active: { color: '#4da3ff', weight: 1.6, opacity: 0.75 },
  closed: { color: '#8a94a3', weight: 1.2, opacity: 0.45, dashArray: '2 6' },
  local: { color: '#e5b454', weight: 1.4, opacity: 0.8, dashArray: '8 5' },
  unknown: { color: '#c58cff', weight: 1.4, opacity: 0.8, dashArray: '10 4 2 4' },
};

/** Bytes just moved: brighter, wider (Little Snitch flashes green). */
export const PULSE_ARC: L.PolylineOptions = { color: '#6dff9e', weight: 3, opacity: 1 };
export const SELECTED_ARC: L.PolylineOptions = { color: '#ffffff', weight: 3, opacity: 1 };

export type MarkerKind = 'place' | 'cluster' | 'zone';

export function markerStyle(state: LocationState, pulse: boolean, selected: boolean, kind: MarkerKind): L.CircleMarkerOptions {
  const arc = ARC_STYLE[state];
  const zone = kind === 'zone';
  return {
    color: selected ? '#ffffff' : pulse ? '#6dff9e' : kind === 'cluster' ? '#dbe7f3' : (arc.color ?? '#4da3ff'),
    weight: selected || kind === 'cluster' ? 3 : zone ? 2 : 1.5,
    // Closed places are hollow rings; clusters a thick light ring; zones a dashed outline.
    fillOpacity: state === 'closed' ? 0 : kind === 'cluster' ? 0.35 : 0.55,
    fillColor: arc.color ?? '#4da3ff',
    dashArray: zone ? '3 3' : undefined,
    opacity: 1,
  };
}

/** Pixel radius from total bytes: logarithmic, so one download does not hide everything else. */
export function markerRadius(bytes: number, cluster: boolean): number {
  const base = 3 + 1.6 * Math.log10(1 + bytes / 100);
  return Math.min(cluster ? 20 : 14, cluster ? base + 4 : base);
}

const RANK: Readonly<Record<LocationState, number>> = { active: 3, local: 2, closed: 1, unknown: 0 };

/** A cluster is drawn in the most lively state of its members. */
export function mergeState(a: LocationState, b: LocationState): LocationState {
  return RANK[a] >= RANK[b] ? a : b;
}
