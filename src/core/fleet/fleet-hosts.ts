// Which hosts the fleet has and where each one is. Hosts are the `instance` values of snitchmap
// targets: those exporting snitchmap_capture_info now, and every target of a job that exported it
// within the hour (so a host that went down stays listed, as down). A host's home is, strongest
// first: the fleet map's own file (--fleet-homes), a `home` target label from the scrape config, the
// home the host exports in snitchmap_home_info (its --home or saved setting, then its time-zone
// guess). A host with none has no home: it is listed and counted, never put at 0,0.

import type { Home } from '../../shared/contract.js';
import type { FleetHomeSource, FleetHostStatus } from '../../shared/fleet.js';
import type { FleetHomes } from './fleet-homes-file.js';
import type { Sample } from './prometheus-api.js';

/** What one refresh read from Prometheus about the hosts (see FLEET_QUERIES). */
export interface HostSamples {
  /** `max by (instance, home) (snitchmap_capture_info)`. */
  capture: Sample[];
  /** `up` of the snitchmap jobs' targets, by instance and home label. */
  up: Sample[];
  /** `timestamp(up)` of the same targets, seconds. */
  scraped: Sample[];
}

export interface ExportedHome {
  home: Home;
  source: 'host' | 'time-zone';
}

/** `home="LAT,LON"` or `home="LAT,LON,LABEL"`, a target label set in the scrape config. */
export function parseHomeLabel(text: string | undefined, instance: string): Home | null {
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(?:,(.*))?$/.exec(text ?? '');
  const lat = Number(match?.[1]);
  const lon = Number(match?.[2]);
  if (match === null || !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) return null;
  return { lat, lon, label: (match[3] ?? '').trim() || instance };
}

/**
 * snitchmap_home_info samples → each instance's exported home. `source="none"` (the Greenwich
 * placeholder of a host with no usable time zone) and bad coordinates are no home; `set` wins
 * over `time-zone` when a changed home briefly shows both.
 */
export function exportedHomes(samples: Sample[]): Map<string, ExportedHome> {
  const homes = new Map<string, ExportedHome>();
  for (const { metric } of samples) {
    const { instance, lat, lon, label, source } = metric;
    if (!instance || (source !== 'set' && source !== 'time-zone')) continue;
    const home = parseHomeLabel(`${lat ?? ''},${lon ?? ''}`, instance);
    if (home === null) continue;
    const entry: ExportedHome = { home: { ...home, label: label?.trim() || instance }, source: source === 'set' ? 'host' : 'time-zone' };
    if (entry.source === 'host' || !homes.has(instance)) homes.set(instance, entry);
  }
  return homes;
}

function homeOf(instance: string, label: string | undefined, file: FleetHomes, exported: ReadonlyMap<string, ExportedHome>): { home: Home | null; homeSource: FleetHomeSource | null } {
  const fromFile = file.homeOf(instance);
  if (fromFile !== null) return { home: fromFile, homeSource: 'file' };
  const fromLabel = parseHomeLabel(label, instance);
  if (fromLabel !== null) return { home: fromLabel, homeSource: 'label' };
  const fromHost = exported.get(instance);
  if (fromHost !== undefined) return { home: fromHost.home, homeSource: fromHost.source };
  return { home: null, homeSource: null };
}

export function fleetHosts(samples: HostSamples, file: FleetHomes, exported: ReadonlyMap<string, ExportedHome>): FleetHostStatus[] {
  const labels = new Map<string, string | undefined>();
  const up = new Map<string, boolean>();
  const age = new Map<string, number>();
  for (const { metric } of [...samples.capture, ...samples.up]) {
    const instance = metric.instance;
    // Any sample's `home` label will do: Prometheus puts target labels on every series of a target.
    if (instance && labels.get(instance) === undefined) labels.set(instance, metric.home);
  }
  for (const { metric, value } of samples.up) if (metric.instance) up.set(metric.instance, (up.get(metric.instance) ?? false) || value === 1);
  for (const { metric, value, ts } of samples.scraped) {
    if (metric.instance) age.set(metric.instance, Math.max(0, Math.round(ts - value * 1000)));
  }
  return [...labels.keys()].sort((a, b) => a.localeCompare(b)).map((instance) => ({
    instance,
    up: up.get(instance) ?? null,
    scrapeAgeMs: age.get(instance) ?? null,
    ...homeOf(instance, labels.get(instance), file, exported),
  }));
}
