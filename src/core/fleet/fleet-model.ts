// Prometheus answers about snitchmap targets → the shapes the UI already draws: one "connection"
// per (host, process, proto, country, scope) with the bytes that host counted, placed at the
// country's centroid (docs/design.md "Fleet mode"). Hosts and their homes: fleet-hosts.ts.

import type { ConnectionEvent, Scope } from '../../shared/contract.js';
import { COUNTRY_CENTROIDS } from './country-centroids.js';
import type { Sample } from './prometheus-api.js';

const SCOPES: readonly Scope[] = ['internet', 'lan', 'loopback', 'link-local', 'multicast', 'unknown'];

// Targets of the jobs that exported snitchmap_capture_info within the hour: a host that went down
// keeps its `up` series (0), but no longer exports anything of its own.
const SNITCHMAP_TARGETS = 'on (job) group by (job) (last_over_time(snitchmap_capture_info[1h]))';

/** The queries one refresh runs, by what the model reads from them. */
export const FLEET_QUERIES = {
  capture: 'max by (instance, home) (snitchmap_capture_info)',
  up: `max by (instance, home) (up and ${SNITCHMAP_TARGETS})`,
  scraped: `max by (instance) (timestamp(up) and ${SNITCHMAP_TARGETS})`,
  homes: 'max by (instance, lat, lon, label, source) (snitchmap_home_info)',
  bytes: 'sum by (instance, process, proto, country, scope, direction) (snitchmap_bytes_total)',
  opened: 'sum by (instance, process, proto, country, scope) (snitchmap_connections_total)',
  health: 'sum by (__name__) ({__name__=~"snitchmap_(events_lost|flows_evicted|unattributed)_total"})',
} as const;

/** The fleet's loss counters from the `health` query (absent series: none counted yet). */
export function fleetHealth(samples: Sample[]): { eventsLost: number; flowsEvicted: number; closedUnattributed: number } {
  const total = (name: string): number => Math.round(samples.find((s) => s.metric.__name__ === name)?.value ?? 0);
  return { eventsLost: total('snitchmap_events_lost_total'), flowsEvicted: total('snitchmap_flows_evicted_total'), closedUnattributed: total('snitchmap_unattributed_total') };
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
