// Great-circle arcs by spherical linear interpolation (slerp), split where they cross the
// antimeridian so Leaflet does not draw a line across the whole map.

export interface LatLon {
  lat: number;
  lon: number;
}

const RAD = Math.PI / 180;

function toVector(p: LatLon): [number, number, number] {
  const lat = p.lat * RAD;
  const lon = p.lon * RAD;
  return [Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat)];
}

function toLatLon(v: [number, number, number]): LatLon {
  return { lat: Math.atan2(v[2], Math.hypot(v[0], v[1])) / RAD, lon: Math.atan2(v[1], v[0]) / RAD };
}

/** Points along the shorter great circle from a to b (inclusive), `segments` + 1 of them. */
export function slerpPath(a: LatLon, b: LatLon, segments: number): LatLon[] {
  const va = toVector(a);
  const vb = toVector(b);
  const dot = Math.min(1, Math.max(-1, va[0] * vb[0] + va[1] * vb[1] + va[2] * vb[2]));
  const omega = Math.acos(dot);
  // Coincident points, or antipodes (no unique great circle): a straight segment is the honest answer.
  if (omega < 1e-9 || Math.PI - omega < 1e-9) return [a, b];
  const sinOmega = Math.sin(omega);
  const points: LatLon[] = [];
  for (let i = 0; i <= segments; i += 1) {
    const t = i / segments;
    const wa = Math.sin((1 - t) * omega) / sinOmega;
    const wb = Math.sin(t * omega) / sinOmega;
    points.push(toLatLon([wa * va[0] + wb * vb[0], wa * va[1] + wb * vb[1], wa * va[2] + wb * vb[2]]));
  }
  points[0] = a;
  points[points.length - 1] = b;
  return points;
}

/** Splits a path into parts that never jump more than 180° in longitude, meeting at ±180. */
export function splitAtAntimeridian(path: LatLon[]): LatLon[][] {
  const parts: LatLon[][] = [];
  let current: LatLon[] = [];
  for (const point of path) {
    const previous = current[current.length - 1];
    if (previous !== undefined && Math.abs(point.lon - previous.lon) > 180) {
      const edge = previous.lon > 0 ? 180 : -180;
      const lonDistance = 360 - Math.abs(point.lon - previous.lon);
      const fraction = lonDistance === 0 ? 0 : (edge - previous.lon) / (edge === 180 ? lonDistance : -lonDistance);
      const lat = previous.lat + (point.lat - previous.lat) * fraction;
      current.push({ lat, lon: edge });
      parts.push(current);
      current = [{ lat, lon: -edge }];
    }
    current.push(point);
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

/** The arc from a to b as Leaflet-ready parts; segment count grows with distance. */
export function greatCircleArc(a: LatLon, b: LatLon): LatLon[][] {
  const va = toVector(a);
  const vb = toVector(b);
  const angle = Math.acos(Math.min(1, Math.max(-1, va[0] * vb[0] + va[1] * vb[1] + va[2] * vb[2])));
  const segments = Math.max(2, Math.ceil((angle / Math.PI) * 48));
  return splitAtAntimeridian(slerpPath(a, b, segments));
}
