// Tooltip bodies built as DOM nodes with textContent: place names come from GeoIP data and the
// locations file, so they never go through innerHTML (Leaflet treats string content as HTML).

import { formatBytes, formatRate } from '../model/format.js';
import type { MapItem } from './cluster-index.js';

export function textLabel(text: string, className: string): HTMLElement {
  const span = document.createElement('span');
  span.className = className;
  span.textContent = text;
  return span;
}

export function itemTooltip(item: MapItem): HTMLElement {
  const box = document.createElement('div');
  box.className = 'map-tooltip';
  const title = document.createElement('strong');
  title.textContent = item.clusterId === null ? item.label : `${item.places} places (click to zoom in)`;
  box.append(title);
  const lines = [
    `${item.connections} connection${item.connections === 1 ? '' : 's'} · ${item.state}`,
    `${formatBytes(item.bytes)} · ${formatRate(item.rate)}`,
  ];
  for (const text of lines) {
    const line = document.createElement('div');
    line.textContent = text;
    box.append(line);
  }
  return box;
}
