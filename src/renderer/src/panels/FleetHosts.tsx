// Fleet mode: every host with its state (Prometheus `up`, scrape age) and where it is drawn, hosts
// without a home included (they have no arcs, so this is where they show). A host's button sets or
// clears the Host filter.

import type { FleetHomeSource, FleetStatus } from '../../../shared/fleet.js';
import { formatAge } from '../model/fleet-summary.js';

const SOURCE: Record<FleetHomeSource, string> = {
  file: 'from --fleet-homes',
  label: 'from the scrape config',
  host: "the host's own",
  'time-zone': "guessed from the host's time zone",
};

interface Props {
  fleet: FleetStatus;
  selected: string | null;
  onPick: (instance: string) => void;
}

export function FleetHosts({ fleet, selected, onPick }: Props) {
  return (
    <section className="fleet-hosts" aria-label="Hosts">
      <ul>
        {fleet.hosts.map((host) => (
          <li key={host.instance} className={`fleet-host${host.instance === selected ? ' is-selected' : ''}`}>
            <button type="button" aria-pressed={host.instance === selected} onClick={() => onPick(host.instance)}>
              <span className={`host-state ${host.up === true ? 'is-up' : host.up === false ? 'is-down' : 'is-unknown'}`}>
                {host.up === true ? '● up' : host.up === false ? '✕ down' : '? no up series'}
              </span>
              <span className="host-name">{host.instance}</span>
            </button>
            {host.home === null
              ? <span className="host-home warn">no home: not on the map (--fleet-homes, a home target label or --home on the host)</span>
              : (
                <span className="host-home" title={host.homeSource === null ? undefined : SOURCE[host.homeSource]}>
                  {`${host.home.label} (${host.home.lat.toFixed(2)}, ${host.home.lon.toFixed(2)})`}
                </span>
              )}
            {host.scrapeAgeMs !== null && <span className="host-age">{`scraped ${formatAge(host.scrapeAgeMs)} ago`}</span>}
          </li>
        ))}
      </ul>
      {fleet.hosts.length === 0 && <p className="empty">No snitchmap targets in Prometheus yet.</p>}
    </section>
  );
}
