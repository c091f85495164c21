// What `serve --fleet` tells the UI about the fleet besides its entries: each host (Prometheus
// `instance`), whether Prometheus reaches it, and where it is on the map (docs/design.md "Fleet mode").

import type { Home } from './contract.js';

/**
 * Where a host's home came from, strongest first: `file` (serve's --fleet-homes), `label` (a
 * `home="LAT,LON[,LABEL]"` target label in the scrape config), `host` (the host's own --home or
 * saved setting, exported as snitchmap_home_info), `time-zone` (the host's offline guess).
 */
export type FleetHomeSource = 'file' | 'label' | 'host' | 'time-zone';

export interface FleetHostStatus {
  instance: string;
  /** Prometheus `up` at the last refresh; null when Prometheus holds no `up` for this instance. */
  up: boolean | null;
  /** Milliseconds from the target's last scrape to the refresh (both on Prometheus's clock); null when unknown. */
  scrapeAgeMs: number | null;
  /** Null: nowhere known. The host is listed and counted, its arcs are not drawn. */
  home: Home | null;
  homeSource: FleetHomeSource | null;
}

export interface FleetStatus {
  prometheusUrl: string;
  /** Sorted by instance. */
  hosts: FleetHostStatus[];
  /** Milliseconds since the epoch (serve's clock) of the last refresh that succeeded; null before one did. */
  refreshedAt: number | null;
  /** Refreshes that failed since serve started (the last one's message is in the banner). */
  queryErrors: number;
  /** The hosts' counters summed over the fleet, as Prometheus last had them. */
  eventsLost: number;
  flowsEvicted: number;
  /** snitchmap_unattributed_total: connections that closed without ever having a process. */
  closedUnattributed: number;
}
