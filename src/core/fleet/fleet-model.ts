// Prometheus answers about snitchmap targets → the shapes the UI already draws: one "connection"
// per (host, process, proto, country, scope) with the bytes that host counted, placed at the
// country's centroid, and hosts as the homes of their traffic (docs/design.md "Fleet mode").

import type { ConnectionEvent, Home, Scope } from '../../shared/contract.js';
import { COUNTRY_CENTROIDS } from './country-centroids.js';
import type { Sample } from './prometheus-api.js';

const SCOPES: readonly Scope[] = ['internet', 'lan', 'loopback', 'link-local', 'multicast', 'unknown'];

/** The queries one refresh runs, by what the model reads from them. */
export const FLEET_QUERIES = {
  hosts: 'max by (instance, home) (snitchmap_capture_info)',
  bytes: 'sum by (instance, process, proto, country, scope, direction) (snitchmap_bytes_total)',
  opened: 'sum by (instance, process, proto, country, scope) (snitchmap_connections_total)',
  losses: 'sum(snitchmap_events_lost_total) or vector(0)',
} as const;

export interface FleetHost {
  instance: string;
  home: Home | null;
}

/** `home="LAT,LON"` or `home="LAT,LON,LABEL"`, a target label set in the scrape config. */
export function parseHomeLabel(text: string | undefined, instance: string): Home | null {
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(?:,(.*))?$/.exec(text ?? '');
  const lat = Number(match?.[1]);
  const lon = Number(match?.[2]);
  if (match === null || !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) return null;
  return { lat, lon, label: (match[3] ?? '').trim() || instance };
}

export function fleetHosts(samples: Sample[]): FleetHost[] {
  const hosts = new Map<string, FleetHost>();
  for (const { metric } of samples) {
    const instance = metric.instance ?? '';
    if (instance === '') continue;
    const home = parseHomeLabel(metric.home, instance);
    if (!hosts.has(instance) || home !== null) hosts.set(instance, { instance, home });
  }
  return [...hosts.values()].sort((a, b) => a.instance.localeCompare(b.instance));
}

interface Row {
  instance: string;
  process: string;
  proto: 'tcp' | 'udp';
  country: string;
  scope: Scope;
  tx: number;
  rx: number;
}

function rowKey(m: Record<string, string>): string | null {
  const { instance, process, proto, country, scope } = m;
  if (!instance || !process || (proto !== 'tcp' && proto !== 'udp') || !country || !SCOPES.includes(scope as Scope)) return null;
  return JSON.stringify([instance, process, proto, country, scope]);
}

/** Every (host, process, proto, country, scope) that opened a connection or moved bytes. */
export function fleetEvents(bytes: Sample[], opened: Sample[], ts: number): ConnectionEvent[] {
  const rows = new Map<string, Row>();
  const rowFor = (m: Record<string, string>): Row | null => {
    const key = rowKey(m);
    if (key === null) return null;
    let row = rows.get(key);
    if (row === undefined) {
      row = { instance: m.instance ?? '', process: m.process ?? '', proto: m.proto as 'tcp' | 'udp', country: m.country ?? '', scope: m.scope as Scope, tx: 0, rx: 0 };
      rows.set(key, row);
    }
    return row;
  };
  for (const s of opened) rowFor(s.metric);
  for (const s of bytes) {
    const row = rowFor(s.metric);
    if (row === null) continue;
    if (s.metric.direction === 'tx') row.tx += s.value;
    else if (s.metric.direction === 'rx') row.rx += s.value;
  }
  return [...rows].map(([key, row]) => {
    const centroid = COUNTRY_CENTROIDS[row.country];
    return {
      type: 'connection',
      event: 'open',
      id: `fleet:${key}`,
      ts,
      proto: row.proto,
      direction: 'outbound',
      family: 4,
      local: { ip: '', port: 0 },
      remote: {
        // No address: the entry stands for every peer of that host's process in that country.
        ip: '',
        port: 0,
        host: row.country === 'unknown' ? 'no location' : row.country,
        scope: row.scope,
        geo: centroid ? { country: row.country, city: null, lat: centroid[0], lon: centroid[1] } : null,
        asn: null,
      },
      process: { pid: 0, name: row.process, exe: null, cmdline: null, uid: 0, user: null },
      txBytes: Math.round(row.tx),
      rxBytes: Math.round(row.rx),
      txPackets: 0,
      rxPackets: 0,
      instance: row.instance,
    };
  });
}
