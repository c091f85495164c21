// The fleet in a few numbers for the status bar: hosts up and down (Prometheus `up`), the oldest
// scrape, hosts without a home. Received data is checked: a malformed fleet object is no fleet.

import type { FleetHostStatus, FleetStatus } from '../../../shared/fleet.js';

export interface FleetSummary {
  hosts: number;
  up: number;
  down: number;
  /** Hosts Prometheus has no `up` for (listed from their series alone). */
  unknown: number;
  homeless: string[];
  /** The largest scrape age at the last refresh, null when none is known. */
  oldestScrapeMs: number | null;
}

function isHost(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { instance, home } = value as FleetHostStatus;
  const placed = home === null ||
    (typeof home === 'object' && Number.isFinite(home.lat) && Number.isFinite(home.lon) && typeof home.label === 'string');
  return typeof instance === 'string' && placed;
}

export function isFleetStatus(value: unknown): value is FleetStatus {
  if (typeof value !== 'object' || value === null) return false;
  const fleet = value as Partial<FleetStatus>;
  return Array.isArray(fleet.hosts) && fleet.hosts.every(isHost) && typeof fleet.queryErrors === 'number';
}

export function summarizeFleet(fleet: FleetStatus): FleetSummary {
  const ages = fleet.hosts.flatMap((h) => (typeof h.scrapeAgeMs === 'number' ? [h.scrapeAgeMs] : []));
  return {
    hosts: fleet.hosts.length,
    up: fleet.hosts.filter((h) => h.up === true).length,
    down: fleet.hosts.filter((h) => h.up === false).length,
    unknown: fleet.hosts.filter((h) => h.up !== true && h.up !== false).length,
    homeless: fleet.hosts.filter((h) => h.home === null).map((h) => h.instance),
    oldestScrapeMs: ages.length === 0 ? null : Math.max(...ages),
  };
}

/** "4 s", "3 min", "2 h": how long ago, coarse enough to read at a glance. */
export function formatAge(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}
