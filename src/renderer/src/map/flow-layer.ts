// Homes, places, clusters, zones and the arcs between them, drawn imperatively on one canvas
// renderer in its own pane. Data arrives at any rate; drawing happens at most once per animation
// frame (Leaflet's own Canvas._requestRedraw does the same for its dirty rectangle). Arcs leave
// this machine's home, or in fleet mode the home of each host with traffic at the place.

import L from 'leaflet';
import type { Home } from '../../../shared/contract.js';
import { greatCircleArc } from '../model/great-circle.js';
import type { LocationPoint } from '../model/locations.js';
import { LOCAL_ORIGIN, type Origin } from '../model/origins.js';
import { ClusterIndex, pointItem, type BBox, type MapItem } from './cluster-index.js';
import { ARC_STYLE, markerRadius, markerStyle, PULSE_ARC, SELECTED_ARC } from './flow-style.js';
import { itemTooltip, textLabel } from './tooltip-content.js';

export interface FlowData {
  locations: LocationPoint[];
  origins: Origin[];
  selectedLocation: string | null;
}

interface Drawn {
  marker: L.CircleMarker;
  /** Permanent label of a placeholder zone (a separate layer: a marker holds one tooltip). */
  label: L.Tooltip | null;
  arcs: L.Polyline[];
  item: MapItem;
  /** Position and origins the marker and arcs were drawn for. */
  geometry: string;
  style: string;
}

const geometryOf = (item: MapItem): string => `${item.lat},${item.lon}|${item.hosts.join(' ')}`;

/** How long an arc stays lit after bytes moved. */
const PULSE_MS = 700;

export class FlowLayer {
  private readonly renderer: L.Canvas;
  private readonly group = L.layerGroup();
  private readonly clusters = new ClusterIndex();
  private readonly drawn = new Map<string, Drawn>();
  private homeMarkers: L.CircleMarker[] = [];
  private homesKey = '';
  private origins = new Map<string, Home>();
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
    this.drawHomes(data.origins);
    const located = data.locations.filter((l) => l.zone === null);
    const items = this.clusters.items(located, this.map.getZoom(), this.viewBox());
    for (const zone of data.locations) if (zone.zone !== null) items.push(pointItem(zone));
    const seen = new Set<string>();
    for (const item of items) {
      seen.add(item.key);
      this.drawItem(item, item.key === data.selectedLocation);
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

  private drawHomes(origins: Origin[]): void {
    const key = JSON.stringify(origins);
    if (key === this.homesKey) return;
    this.homesKey = key;
    for (const marker of this.homeMarkers) this.group.removeLayer(marker);
    this.homeMarkers = origins.map(({ home, label }) => L.circleMarker([home.lat, home.lon], {
      renderer: this.renderer, radius: 7, color: '#ffffff', weight: 3, fillColor: '#0b1017', fillOpacity: 1,
    })
      .bindTooltip(textLabel(label, 'home-label'), { permanent: true, direction: 'left', offset: [-8, 0] })
      .addTo(this.group));
    this.origins = new Map(origins.map((o) => [o.key, o.home]));
    // Every arc starts at a home: they all need new geometry.
    for (const drawn of this.drawn.values()) this.remove(drawn);
    this.drawn.clear();
  }

  /** The homes an item's arcs leave: its hosts' (a host with no home has none), else this machine's. */
  private originsOf(item: MapItem): Home[] {
    const keys = item.hosts.length > 0 ? item.hosts : [LOCAL_ORIGIN];
    return keys.flatMap((key) => this.origins.get(key) ?? []);
  }

  private drawItem(item: MapItem, selected: boolean): void {
    const pulse = item.pulse && this.pulseLit;
    const radius = markerRadius(item.bytes, item.clusterId !== null);
    const style = `${item.state}|${pulse}|${selected}|${radius.toFixed(1)}|${item.zone}`;
    let drawn = this.drawn.get(item.key);
    if (drawn === undefined) {
      drawn = this.create(item);
      this.drawn.set(item.key, drawn);
    } else {
      drawn.item = item;
      if (drawn.geometry !== geometryOf(item)) this.move(drawn, item);
    }
    if (drawn.style === style) return;
    drawn.style = style;
    drawn.marker.setStyle(markerStyle(item.state, pulse, selected, item.zone ? 'zone' : item.clusterId !== null ? 'cluster' : 'place'));
    drawn.marker.setRadius(radius);
    const arcStyle = selected ? SELECTED_ARC : pulse ? { ...ARC_STYLE[item.state], ...PULSE_ARC } : ARC_STYLE[item.state];
    for (const arc of drawn.arcs) arc.setStyle(arcStyle);
  }

  private create(item: MapItem): Drawn {
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
    const arcs = this.arcsFor(item);
    for (const arc of arcs) arc.addTo(this.group);
    marker.addTo(this.group);
    return { marker, label, arcs, item, geometry: geometryOf(item), style: '' };
  }

  private remove(drawn: Drawn): void {
    this.group.removeLayer(drawn.marker);
    for (const arc of drawn.arcs) this.group.removeLayer(arc);
    if (drawn.label !== null) this.group.removeLayer(drawn.label);
  }

  private move(drawn: Drawn, item: MapItem): void {
    drawn.marker.setLatLng([item.lat, item.lon]);
    for (const arc of drawn.arcs) this.group.removeLayer(arc);
    drawn.arcs = this.arcsFor(item);
    for (const arc of drawn.arcs) arc.addTo(this.group);
    drawn.geometry = geometryOf(item);
    drawn.style = '';
    drawn.marker.bringToFront();
  }

  private arcsFor(item: MapItem): L.Polyline[] {
    return this.originsOf(item).flatMap((home) => {
      if (Math.abs(item.lat - home.lat) < 0.01 && Math.abs(item.lon - home.lon) < 0.01) return [];
      const parts = greatCircleArc(home, { lat: item.lat, lon: item.lon });
      const latLngs = parts.map((part) => part.map((p): L.LatLngTuple => [p.lat, p.lon]));
      return [L.polyline(latLngs, { renderer: this.renderer, interactive: false, ...ARC_STYLE[item.state] })];
    });
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
