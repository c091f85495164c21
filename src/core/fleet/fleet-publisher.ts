// `serve --fleet`: a Publisher (the same snapshot + deltas the UI takes from a local engine) fed by
// polling Prometheus. Each refresh runs the FLEET_QUERIES with a bounded timeout; what changed
// since the last refresh goes out as open/update/close events, with the fleet's state (hosts up or
// down, scrape ages, homes, query errors); a failed refresh keeps the last data, counts the error
// and shows a banner until a refresh succeeds.

import type { AppStatus, Delta, Snapshot } from '../../shared/api.js';
import type { ConnectionEvent, HelloMessage, Home, StatsMessage } from '../../shared/contract.js';
import { CONTRACT_VERSION, PROBE_CAPABILITIES } from '../../shared/contract.js';
import type { FleetStatus } from '../../shared/fleet.js';
import type { Publisher } from '../engine-types.js';
import { FleetHomes } from './fleet-homes-file.js';
import { exportedHomes, fleetHosts, type ExportedHome } from './fleet-hosts.js';
import { FLEET_QUERIES, fleetEvents, fleetHealth } from './fleet-model.js';
import { queryVector, type Fetch } from './prometheus-api.js';

export interface FleetOptions {
  prometheusUrl: string;
  /** This machine's home: the hello's (the settings dialog's default); fleet hosts have their own. */
  home: Home;
  /** --fleet-homes: where hosts are, by instance (the strongest source). */
  homes?: FleetHomes;
  intervalMs?: number;
  timeoutMs?: number;
  fetch?: Fetch;
  now?: () => number;
}

export interface FleetPublisher extends Publisher {
  /** Runs one refresh now (also what Retry does); resolves when it is done, never rejects. */
  refresh(): Promise<void>;
  fleet(): FleetStatus;
  start(): void;
  stop(): void;
}

const NO_PROBES = Object.fromEntries(PROBE_CAPABILITIES.map((c) => [c, null])) as HelloMessage['probes'];

export function createFleetPublisher(options: FleetOptions): FleetPublisher {
  const now = options.now ?? Date.now;
  const query = (promql: string) => queryVector(options.prometheusUrl, promql, { timeoutMs: options.timeoutMs ?? 5000, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const homesFile = options.homes ?? new FleetHomes([]);
  const listeners = new Set<(delta: Delta) => void>();
  // Homes hosts exported, kept for the run: a host that goes down stops exporting, but not moving.
  const exported = new Map<string, ExportedHome>();
  let connections = new Map<string, ConnectionEvent>();
  let status: AppStatus = { paused: false, capture: 'none', banner: null };
  // `unattributed` (connections without an owner now) is not in Prometheus: the UI shows
  // fleet.closedUnattributed instead.
  let stats: StatsMessage = { type: 'stats', ts: now(), eventsLost: 0, flowsEvicted: 0, unattributed: 0, connections: 0 };
  let fleet: FleetStatus = { prometheusUrl: options.prometheusUrl, hosts: [], refreshedAt: null, queryErrors: 0, eventsLost: 0, flowsEvicted: 0, closedUnattributed: 0 };
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const hello: HelloMessage = {
    type: 'hello',
    version: CONTRACT_VERSION,
    capture: 'ebpf',
    probes: NO_PROBES,
    geoip: null,
    home: options.home,
    limitations: ['addresses, ports and pids (fleet mode: Prometheus holds bytes and connections per host, process, country and scope)'],
  };
  const publish = (delta: Delta): void => {
    for (const listener of listeners) listener(delta);
  };

  const refreshOnce = async (): Promise<void> => {
    const ts = now();
    try {
      const q = FLEET_QUERIES;
      const [capture, up, scraped, homes, bytes, opened, health] = await Promise.all([q.capture, q.up, q.scraped, q.homes, q.bytes, q.opened, q.health].map(query));
      for (const [instance, home] of exportedHomes(homes ?? [])) exported.set(instance, home);
      const next = new Map(fleetEvents(bytes ?? [], opened ?? [], ts).map((e) => [e.id, e]));
      const events: ConnectionEvent[] = [];
      for (const [id, event] of next) {
        const before = connections.get(id);
        if (before === undefined) events.push(event);
        else if (before.txBytes !== event.txBytes || before.rxBytes !== event.rxBytes) events.push({ ...event, event: 'update' });
      }
      for (const [id, event] of connections) if (!next.has(id)) events.push({ ...event, event: 'close', ts });
      connections = next;
      const losses = fleetHealth(health ?? []);
      fleet = { ...fleet, ...losses, hosts: fleetHosts({ capture: capture ?? [], up: up ?? [], scraped: scraped ?? [] }, homesFile, exported), refreshedAt: ts };
      stats = { type: 'stats', ts, eventsLost: losses.eventsLost, flowsEvicted: losses.flowsEvicted, unattributed: 0, connections: next.size };
      const banner = status.banner?.kind === 'error' ? null : status.banner;
      const changedStatus = status.capture !== 'ebpf' || banner !== status.banner;
      status = { ...status, capture: 'ebpf', banner };
      publish({ events, stats, fleet, ...(changedStatus ? { status } : {}) });
    } catch (error) {
      fleet = { ...fleet, queryErrors: fleet.queryErrors + 1 };
      status = { ...status, banner: { kind: 'error', message: `Prometheus at ${options.prometheusUrl}: ${(error as Error).message}. Showing the last data.`, canRetry: true } };
      publish({ events: [], status, fleet });
    }
  };
  const refresh = (): Promise<void> => (running ??= refreshOnce().finally(() => (running = null)));
  const schedule = (): void => {
    timer = setTimeout(() => void refresh().then(() => timer !== null && schedule()), options.intervalMs ?? 5000);
  };

  return {
    refresh,
    fleet: () => fleet,
    start() {
      if (timer !== null) return;
      timer = setTimeout(() => undefined, 0);
      void refresh().then(() => timer !== null && schedule());
    },
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
    snapshot: (): Snapshot => ({ hello, connections: [...connections.values()], stats, status, fleet }),
    onDelta(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setStatus(patch) {
      status = { ...status, ...patch };
      publish({ events: [], status });
    },
    dispose() {
      this.stop();
      listeners.clear();
    },
  };
}
