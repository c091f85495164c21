// The status bar in fleet mode: the fleet, not a local capture. Hosts up and down (Prometheus
// `up`), the oldest scrape, failed refreshes, hosts without a home, and the hosts' loss counters.

import type { FleetStatus } from '../../../shared/fleet.js';
import { formatAge, summarizeFleet } from '../model/fleet-summary.js';

export function FleetStatusItems({ fleet }: { fleet: FleetStatus }) {
  const summary = summarizeFleet(fleet);
  const hosts = [`${summary.up} up`, `${summary.down} down`, ...(summary.unknown > 0 ? [`${summary.unknown} without up`] : [])];
  return (
    <>
      <span className="status-item" title={`Prometheus at ${fleet.prometheusUrl}`}>{`fleet: ${summary.hosts} hosts`}</span>
      <span className={`status-item${summary.down + summary.unknown > 0 ? ' warn' : ''}`}>{`hosts ${hosts.join(', ')}`}</span>
      <span className="status-item">
        {summary.oldestScrapeMs === null ? 'no scrape yet' : `oldest scrape ${formatAge(summary.oldestScrapeMs)} ago`}
      </span>
      <span className={`status-item${fleet.queryErrors > 0 ? ' warn' : ''}`}>{`query errors ${fleet.queryErrors}`}</span>
      {summary.homeless.length > 0 && (
        <span className="status-item warn" title={summary.homeless.join('\n')}>{`without home ${summary.homeless.length}`}</span>
      )}
      <span className={`status-item${fleet.eventsLost > 0 ? ' warn' : ''}`}>{`lost ${fleet.eventsLost}`}</span>
      <span className={`status-item${fleet.flowsEvicted > 0 ? ' warn' : ''}`}>{`evicted ${fleet.flowsEvicted}`}</span>
      <span className={`status-item${fleet.closedUnattributed > 0 ? ' warn' : ''}`} title="connections that closed without ever having a process">
        {`closed unattributed ${fleet.closedUnattributed}`}
      </span>
    </>
  );
}
