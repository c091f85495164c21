// The offline basemap: Natural Earth countries from world-atlas (TopoJSON), drawn by Leaflet's
// canvas renderer. 1:110m at low zoom; 1:50m (a separate, lazily loaded chunk) once zoomed in.

import L from 'leaflet';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries110m from 'world-atlas/countries-110m.json?raw';

/** Zoom from which the 1:50m outlines replace the 1:110m ones. */
export const DETAILED_FROM_ZOOM = 4;
/** Antarctica (ISO numeric 010) stretches to the Web Mercator cut-off and hides the southern oceans. */
const ANTARCTICA = '010';

const STYLE: L.PathOptions = {
  color: '#3d4b5c',
  weight: 0.6,
  fillColor: '#1f2a36',
  fillOpacity: 1,
  interactive: false,
};

function isTopology(value: unknown): value is Topology<{ countries: GeometryCollection }> {
  if (typeof value !== 'object' || value === null) return false;
  const objects = (value as { objects?: { countries?: { type?: unknown } } }).objects;
  return (value as { type?: unknown }).type === 'Topology' && objects?.countries?.type === 'GeometryCollection';
}

type Ring = GeoJSON.Position[];

/**
 * Natural Earth rings that cross the antimeridian (Russia's Chukotka, Fiji) jump from +180 to -180;
 * drawn as-is they become bands across the whole map. Making longitudes continuous moves those
 * parts just past the map edge instead.
 */
function unwrapRing(ring: Ring): Ring {
  let previous: number | undefined;
  return ring.map(([lon = 0, lat = 0]) => {
    let x = lon;
    if (previous !== undefined) {
      while (x - previous > 180) x -= 360;
      while (x - previous < -180) x += 360;
    }
    previous = x;
    return [x, lat];
  });
}

function unwrapGeometry(geometry: GeoJSON.Geometry): GeoJSON.Geometry {
  if (geometry.type === 'Polygon') return { ...geometry, coordinates: geometry.coordinates.map(unwrapRing) };
  if (geometry.type === 'MultiPolygon') {
    return { ...geometry, coordinates: geometry.coordinates.map((polygon) => polygon.map(unwrapRing)) };
  }
  return geometry;
}

export function countriesLayer(topologyText: string, renderer: L.Renderer): L.GeoJSON {
  const topology: unknown = JSON.parse(topologyText);
  if (!isTopology(topology)) throw new Error('basemap: world-atlas data is not a countries topology');
  const collection = feature(topology, topology.objects.countries);
  collection.features = collection.features
    .filter((f) => f.id !== ANTARCTICA)
    .map((f) => ({ ...f, geometry: unwrapGeometry(f.geometry) }));
  // Leaflet hands GeoJSON options to each polygon it creates, so `renderer` reaches them; the typings omit it.
  const options: L.GeoJSONOptions & { renderer: L.Renderer } = { style: STYLE, renderer, interactive: false };
  return L.geoJSON(collection, options);
}

/** Owns the two resolutions and swaps them on zoom; the detailed one is fetched once, on demand. */
export class Basemap {
  private readonly coarse: L.GeoJSON;
  private detailed: L.GeoJSON | null = null;
  private loading = false;
  private visible = true;

  constructor(private readonly map: L.Map, private readonly renderer: L.Renderer) {
    this.coarse = countriesLayer(countries110m, renderer);
    this.coarse.addTo(map);
    map.on('zoomend', this.onZoom);
    this.onZoom();
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    this.onZoom();
  }

  dispose(): void {
    this.map.off('zoomend', this.onZoom);
    this.coarse.remove();
    this.detailed?.remove();
  }

  private readonly onZoom = (): void => {
    const wantDetailed = this.visible && this.map.getZoom() >= DETAILED_FROM_ZOOM;
    if (wantDetailed && this.detailed === null) this.loadDetailed();
    const showDetailed = wantDetailed && this.detailed !== null;
    this.toggle(this.coarse, this.visible && !showDetailed);
    if (this.detailed !== null) this.toggle(this.detailed, showDetailed);
    // Which outlines are drawn, on the map element: the 1:50m chunk arrives asynchronously and the
    // e2e test waits for it to be shown, not just fetched.
    this.map.getContainer().dataset.basemap = !this.visible ? 'tiles' : showDetailed ? 'detailed' : 'coarse';
  };

  private toggle(layer: L.Layer, on: boolean): void {
    if (on && !this.map.hasLayer(layer)) {
      layer.addTo(this.map);
      if (layer instanceof L.GeoJSON) layer.bringToBack();
    } else if (!on && this.map.hasLayer(layer)) {
      layer.remove();
    }
  }

  private loadDetailed(): void {
    if (this.loading) return;
    this.loading = true;
    import('world-atlas/countries-50m.json?raw')
      .then((module) => {
        this.detailed = countriesLayer(module.default, this.renderer);
        this.onZoom();
      })
      .catch((error: unknown) => {
        // The coarse outlines stay; a missing chunk must not take the map down.
        console.error('basemap: could not load 1:50m outlines', error);
      });
  }
}
