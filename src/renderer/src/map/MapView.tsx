// The map panel. Leaflet owns the map; React holds it in a ref and pushes data through named
// effects (react.dev, "Controlling non-React widgets"). Nothing here re-renders per marker.

import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useEffect, useRef } from 'react';
import type { Settings } from '../../../shared/api.js';
import { Basemap } from './basemap.js';
import { FlowLayer, type FlowData } from './flow-layer.js';
import { onlineTileLayer } from './online-tiles.js';
import { homeMenu } from './home-menu.js';

export interface MapViewProps {
  data: FlowData;
  tiles: Settings['onlineTiles'];
  onPickLocation: (key: string) => void;
  onSetHome: (lat: number, lon: number) => void;
}

interface MapParts {
  map: L.Map;
  basemap: Basemap;
  flows: FlowLayer;
}

export function MapView({ data, tiles, onPickLocation, onSetHome }: MapViewProps) {
  const container = useRef<HTMLDivElement>(null);
  const parts = useRef<MapParts | null>(null);
  const callbacks = useRef({ onPickLocation, onSetHome });
  callbacks.current = { onPickLocation, onSetHome };

  useEffect(function createMap() {
    const element = container.current;
    if (element === null) return;
    const map = L.map(element, {
      center: [30, 0],
      zoom: 2,
      minZoom: 1,
      maxZoom: 10,
      worldCopyJump: false,
      maxBounds: [[-85, -240], [85, 240]],
      attributionControl: true,
    });
    map.attributionControl.setPrefix('Leaflet');
    map.attributionControl.addAttribution('Natural Earth');
    map.createPane('basemap').style.zIndex = '250';
    const basemap = new Basemap(map, L.canvas({ pane: 'basemap' }));
    const flows = new FlowLayer(map, (key) => callbacks.current.onPickLocation(key));
    const removeMenu = homeMenu(map, (lat, lon) => callbacks.current.onSetHome(lat, lon));
    // Banners and panels change the map's size without a window resize; Leaflet must be told.
    const resize = new ResizeObserver(() => map.invalidateSize());
    // The settled zoom level on the element: Leaflet drops a zoom request made while a zoom animates,
    // so whoever drives the map (the e2e tests) waits for this before the next step.
    const showZoom = (): void => {
      element.dataset.zoom = String(map.getZoom());
    };
    showZoom();
    map.on('zoomend', showZoom);
    resize.observe(element);
    parts.current = { map, basemap, flows };
    return function removeMap() {
      resize.disconnect();
      map.off('zoomend', showZoom);
      removeMenu();
      flows.dispose();
      basemap.dispose();
      map.remove();
      parts.current = null;
    };
  }, []);

  useEffect(function pushFlowData() {
    parts.current?.flows.setData(data);
  }, [data]);

  useEffect(function applyOnlineTiles() {
    const current = parts.current;
    if (current === null) return;
    const layer = onlineTileLayer(tiles);
    if (layer === null) return;
    layer.addTo(current.map);
    current.basemap.setVisible(false);
    return function removeOnlineTiles() {
      layer.remove();
      current.basemap.setVisible(true);
    };
  }, [tiles]);

  return <div ref={container} className="map" role="region" aria-label="World map of connections" />;
}
