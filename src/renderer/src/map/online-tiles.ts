// The optional online tile layer (a setting, off by default). Tile servers have usage policies:
// the URL is the user's choice, the attribution they give is shown, and nothing is prefetched —
// Leaflet requests only the tiles on screen.

import L from 'leaflet';
import type { Settings } from '../../../shared/api.js';
import { isTileTemplate } from '../../../shared/settings.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A tile layer for the settings, or null when off or the URL is not a valid template (shared/settings.ts). */
export function onlineTileLayer(settings: Settings['onlineTiles']): L.TileLayer | null {
  if (!settings.enabled || !isTileTemplate(settings.url)) return null;
  // Leaflet's attribution control renders HTML; the user's text is escaped so it stays text.
  return L.tileLayer(settings.url, {
    attribution: escapeHtml(settings.attribution),
    maxZoom: 10,
    crossOrigin: false,
  });
}
