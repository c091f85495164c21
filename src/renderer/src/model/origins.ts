// Where the map's arcs start: this machine's home, or in fleet mode each host's own home (a host
// with no known home gets no marker and no arcs; the hosts panel and status bar count it).

import type { Home } from '../../../shared/contract.js';
import type { FleetStatus } from '../../../shared/fleet.js';

export interface Origin {
  /** LOCAL_ORIGIN for this machine's home, else a fleet host's instance. */
  key: string;
  home: Home;
  /** The marker's permanent label. */
  label: string;
}

export const LOCAL_ORIGIN = '';

/** With a host filter, only that host's home is drawn: its arcs are the only ones left. */
export function mapOrigins(fleet: FleetStatus | null, home: Home, hostFilter: string | null): Origin[] {
  if (fleet === null) return [{ key: LOCAL_ORIGIN, home, label: `Home: ${home.label}` }];
  return fleet.hosts.flatMap((host) =>
    host.home === null || (hostFilter !== null && host.instance !== hostFilter)
      ? []
      : [{ key: host.instance, home: host.home, label: host.home.label === host.instance ? host.instance : `${host.instance}: ${host.home.label}` }]);
}
