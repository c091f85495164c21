// Home, places, clusters, zones and the arcs between them, drawn imperatively on one canvas
// renderer in its own pane. Data arrives at any rate; drawing happens at most once per animation
// frame (Leaflet's own Canvas._requestRedraw does the same for its dirty rectangle).

import L from 'leaflet';
import type { Home } from '../../../shared/contract.js';
import { greatCircleArc } from '../model/great-circle.js';
import type { LocationPoint } from '../model/locations.js';
import { ClusterIndex, pointItem, type BBox, type MapItem } from './cluster-index.js';
import { ARC_STYLE, markerRadius, markerStyle, PULSE_ARC, SELECTED_ARC } from './flow-style.js';
import { itemTooltip, textLabel } from './tooltip-content.js';

export interface FlowData {
  locations: LocationPoint[];
  home: Home;
  selectedLocation: string | null;
}

interface Drawn {
  marker: L.CircleMarker;
  /** Permanent label of a placeholder zone (a separate layer: a marker holds one tooltip). */
  label: L.Tooltip | null;
  arc: L.Polyline | null;
  item: MapItem;
  lat: number;
  lon: number;
  style: string;
}

/** How long an arc stays lit after bytes moved. */
const PULSE_MS = 700;

export class FlowLayer {
  private readonly renderer: L.Canvas;
  private readonly group = L.layerGroup();
  private readonly clusters = new ClusterIndex();
  private readonly drawn = new Map<string, Drawn>();
  private homeMarker: L.CircleMarker | null = null;
  private homeKey = '';
  private data: FlowData | null = null;
  private frame: number | null = null;
  private pulseLit = false;
  private pulseTimer: number | null = null;

  constructor(private readonly map: L.Map, private readonly onPick: (key: string) => void) {
    map.createPane('flows').style.zIndex = '450';
    this.renderer = L.canvas({ pane: 'flows', padding: 0.1 });
    this.group.addTo(map);
    map.on('moveend', this.schedule);
  }

  setData(data: FlowData): void {
    this.data = data;
    if (data.locations.some((l) => l.pulse)) this.lightPulse();
    this.schedule();
  }

  dispose(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    if (this.pulseTimer !== null) window.clearTimeout(this.pulseTimer);
    this.map.off('moveend', this.schedule);
    this.group.remove();
  }

  private readonly schedule = (): void => {
    this.frame ??= requestAnimationFrame(this.draw);
  };

  private lightPulse(): void {
    this.pulseLit = true;
    if (this.pulseTimer !== null) window.clearTimeout(this.pulseTimer);
    this.pulseTimer = window.setTimeout(() => {
      this.pulseLit = false;
      this.pulseTimer = null;
      this.schedule();
    }, PULSE_MS);
  }

  private readonly draw = (): void => {
    this.frame = null;
    const data = this.data;
    if (data === null) return;
    this.drawHome(data.home);
    const located = data.locations.filter((l) => l.zone === null);
    const items = this.clusters.items(located, this.map.getZoom(), this.viewBox());
    for (const zone of data.locations) if (zone.zone !== null) items.push(pointItem(zone));
    const seen = new Set<string>();
    for (const item of items) {
      seen.add(item.key);
      this.drawItem(item, data.home, item.key === data.selectedLocation);
    }
    for (const [key, drawn] of this.drawn) {
      if (seen.has(key)) continue;
      this.remove(drawn);
      this.drawn.delete(key);
    }
  };

  /** The visible area plus a margin, clamped to the world (Leaflet's bounds run past ±180 when zoomed out). */
  private viewBox(): BBox {
    const bounds = this.map.getBounds().pad(0.25);
    return [
      Math.max(-180, bounds.getWest()), Math.max(-85, bounds.getSouth()),
      Math.min(180, bounds.getEast()), Math.min(85, bounds.getNorth()),
    ];
  }

  private drawHome(home: Home): void {
    const key = `${home.lat},${home.lon},${home.label}`;
    if (key === this.homeKey) return;
    this.homeKey = key;
    this.homeMarker?.remove();
    this.homeMarker = L.circleMarker([home.lat, home.lon], {
      renderer: this.renderer, radius: 7, color: '#ffffff', weight: 3, fillColor: '#0b1017', fillOpacity: 1,
    })
      .bindTooltip(textLabel(`Home: ${home.label}`, 'home-label'), { permanent: true, direction: 'left', offset: [-8, 0] })
      .addTo(this.group);
    // Every arc starts at home: they all need new geometry.
    for (const drawn of this.drawn.values()) this.remove(drawn);
    this.drawn.clear();
  }

  private drawItem(item: MapItem, home: Home, selected: boolean): void {
    const pulse = item.pulse && this.pulseLit;
    const radius = markerRadius(item.bytes, item.clusterId !== null);
    const style = `${item.state}|${pulse}|${selected}|${radius.toFixed(1)}|${item.zone}`;
    let drawn = this.drawn.get(item.key);
    if (drawn === undefined) {
      drawn = this.create(item, home);
      this.drawn.set(item.key, drawn);
    } else {
      drawn.item = item;
      if (drawn.lat !== item.lat || drawn.lon !== item.lon) this.move(drawn, item, home);
    }
    if (drawn.style === style) return;
    drawn.style = style;
    drawn.marker.setStyle(markerStyle(item.state, pulse, selected, item.zone ? 'zone' : item.clusterId !== null ? 'cluster' : 'place'));
    drawn.marker.setRadius(radius);
    drawn.arc?.setStyle(selected ? SELECTED_ARC : pulse ? { ...ARC_STYLE[item.state], ...PULSE_ARC } : ARC_STYLE[item.state]);
  }

  private create(item: MapItem, home: Home): Drawn {
    const marker = L.circleMarker([item.lat, item.lon], { renderer: this.renderer, bubblingMouseEvents: false });
    const key = item.key;
    marker.bindTooltip(() => itemTooltip(this.drawn.get(key)?.item ?? item), { direction: 'top', offset: [0, -6] });
    const label = item.zone
      ? L.tooltip({ permanent: true, direction: 'bottom', offset: [0, 8], interactive: false })
        .setLatLng([item.lat, item.lon])
        .setContent(textLabel(item.label, 'zone-label'))
      : null;
    label?.addTo(this.group);
    marker.on('click', () => this.pick(key));
    const arc = this.arcFor(item, home);
    if (arc !== null) arc.addTo(this.group);
    marker.addTo(this.group);
    return { marker, label, arc, item, lat: item.lat, lon: item.lon, style: '' };
  }

  private remove(drawn: Drawn): void {
    this.group.removeLayer(drawn.marker);
    if (drawn.arc !== null) this.group.removeLayer(drawn.arc);
    if (drawn.label !== null) this.group.removeLayer(drawn.label);
  }

  private move(drawn: Drawn, item: MapItem, home: Home): void {
    drawn.marker.setLatLng([item.lat, item.lon]);
    if (drawn.arc !== null) this.group.removeLayer(drawn.arc);
    drawn.arc = this.arcFor(item, home);
    drawn.arc?.addTo(this.group);
    drawn.lat = item.lat;
    drawn.lon = item.lon;
    drawn.style = '';
    drawn.marker.bringToFront();
  }

  private arcFor(item: MapItem, home: Home): L.Polyline | null {
    if (Math.abs(item.lat - home.lat) < 0.01 && Math.abs(item.lon - home.lon) < 0.01) return null;
    const parts = greatCircleArc(home, { lat: item.lat, lon: item.lon });
    const latLngs = parts.map((part) => part.map((p): L.LatLngTuple => [p.lat, p.lon]));
    return L.polyline(latLngs, { renderer: this.renderer, interactive: false, ...ARC_STYLE[item.state] });
  }

  private pick(key: string): void {
    const drawn = this.drawn.get(key);
    if (drawn?.item.clusterId != null) {
      const zoom = this.clusters.expansionZoom(drawn.item.clusterId);
      this.map.setView([drawn.item.lat, drawn.item.lon], zoom);
      return;
    }
    this.onPick(key);
  }
}
