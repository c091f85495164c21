// Capture mode and probes, losses, GeoIP database and its required attribution, live/paused; in
// fleet mode the fleet's state instead of a capture's (FleetStatusItems).

import { PROBE_CAPABILITIES } from '../../../shared/contract.js';
import type { StoreState } from '../model/connection-store.js';
import { FleetStatusItems } from './FleetStatusItems.js';
import { GeoipAttribution } from './GeoipAttribution.js';

interface Props {
  state: StoreState;
  listed: number;
  onPause: () => void;
  onResume: () => void;
  onClear: () => void;
  onAbout: () => void;
  /** Null until the settings are loaded. */
  onSettings: (() => void) | null;
}

export function StatusBar({ state, listed, onPause, onResume, onClear, onAbout, onSettings }: Props) {
  const { hello, stats, status, fleet } = state;
  const probes = PROBE_CAPABILITIES.map((c) => `${c}: ${hello.probes[c] ?? 'none'}`).join('\n');
  const missing = PROBE_CAPABILITIES.filter((c) => hello.probes[c] === null);
  return (
    <footer className="status-bar" aria-label="Status">
      <span className={`live ${status.paused ? 'is-paused' : 'is-live'}`} role="status">
        {status.paused ? '❚❚ paused' : '● live'}
      </span>
      {status.paused
        ? <button type="button" onClick={onResume}>Resume</button>
        : <button type="button" onClick={onPause}>Pause</button>}
      <button type="button" onClick={onClear}>Clear</button>
      {fleet === null && (
        <span className="status-item" title={probes}>
          {`capture: ${status.capture === 'none' ? 'none' : hello.capture}`}
          {hello.capture === 'ebpf' && ` (tc ${hello.probes.tc ?? 'none'}, connect ${hello.probes.connect ?? 'none'}`}
          {hello.capture === 'ebpf' && (missing.length > 0 ? `; missing: ${missing.join(', ')})` : ')')}
        </span>
      )}
      {fleet !== null && <FleetStatusItems fleet={fleet} />}
      {hello.limitations !== undefined && hello.limitations.length > 0 && (
        <span className="status-item warn" title={hello.limitations.join('\n')}>
          {`cannot see: ${hello.limitations.join('; ')}`}
        </span>
      )}
      <span className="status-item">{`${listed} of ${state.connections.size} connections`}</span>
      {fleet === null && (
        <>
          <span className={`status-item${stats.eventsLost > 0 ? ' warn' : ''}`}>{`lost ${stats.eventsLost}`}</span>
          <span className={`status-item${stats.unattributed > 0 ? ' warn' : ''}`}>{`unattributed ${stats.unattributed}`}</span>
          <span className={`status-item${stats.flowsEvicted > 0 ? ' warn' : ''}`}>{`evicted ${stats.flowsEvicted}`}</span>
        </>
      )}
      {state.malformedEvents > 0 && (
        <span className="status-item warn">{`malformed events ignored ${state.malformedEvents}`}</span>
      )}
      <GeoipAttribution geoip={hello.geoip} />
      <span className="status-buttons">
        <button type="button" onClick={onSettings ?? undefined} disabled={onSettings === null}>Settings</button>
        <button type="button" onClick={onAbout}>About</button>
      </span>
    </footer>
  );
}
