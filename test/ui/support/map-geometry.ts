// Where a lat/lon lands on screen for the map's initial view (Web Mercator, 256-px tiles), so the
// e2e tests can hover markers and probe arcs on the canvas without reaching into Leaflet.

export const INITIAL_CENTER = { lat: 30, lon: 0 };
export const INITIAL_ZOOM = 2;

function project(lat: number, lon: number, zoom: number): { x: number; y: number } {
  const size = 256 * 2 ** zoom;
  const sin = Math.sin((lat * Math.PI) / 180);
  return {
    x: ((lon + 180) / 360) * size,
    y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * size,
  };
}

/** Screen position of lat/lon inside a map element whose box is `rect`, at the initial view. */
export function screenPoint(rect: { x: number; y: number; width: number; height: number }, lat: number, lon: number) {
  const center = project(INITIAL_CENTER.lat, INITIAL_CENTER.lon, INITIAL_ZOOM);
  const point = project(lat, lon, INITIAL_ZOOM);
  return { x: rect.x + rect.width / 2 + (point.x - center.x), y: rect.y + rect.height / 2 + (point.y - center.y) };
}
