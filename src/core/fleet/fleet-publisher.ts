// `serve --fleet`: a Publisher (the same snapshot + deltas the UI takes from a local engine) fed by
// polling Prometheus. Each refresh runs the FLEET_QUERIES with a bounded timeout; what changed
// since the last refresh goes out as open/update/close events; a failed refresh keeps the last
// data and shows a banner until a refresh succeeds.

import type { AppStatus, Delta, Snapshot } from '../../shared/api.js';
import type { ConnectionEvent, HelloMessage, Home, StatsMessage } from '../../shared/contract.js';
import { CONTRACT_VERSION, PROBE_CAPABILITIES } from '../../shared/contract.js';
import type { Publisher } from '../engine-types.js';
import { FLEET_QUERIES, fleetEvents, fleetHosts, type FleetHost } from './fleet-model.js';
import { queryVector, type Fetch } from './prometheus-api.js';

export interface FleetOptions {
  prometheusUrl: string;
  /** Where the map is centred when hosts carry no `home` label: this machine's home. */
  home: Home;
  intervalMs?: number;
  timeoutMs?: number;
  fetch?: Fetch;
  now?: () => number;
}

export interface FleetPublisher extends Publisher {
  /** Runs one refresh now (also what Retry does); resolves when it is done, never rejects. */
  refresh(): Promise<void>;
  hosts(): FleetHost[];
  start(): void;
  stop(): void;
}

const NO_PROBES = Object.fromEntries(PROBE_CAPABILITIES.map((c) => [c, null])) as HelloMessage['probes'];

export function createFleetPublisher(options: FleetOptions): FleetPublisher {
  const now = options.now ?? Date.now;
  const query = (promql: string) => queryVector(options.prometheusUrl, promql, { timeoutMs: options.timeoutMs ?? 5000, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const listeners = new Set<(delta: Delta) => void>();
  let hosts: FleetHost[] = [];
  let connections = new Map<string, ConnectionEvent>();
  let status: AppStatus = { paused: false, capture: 'none', banner: null };
  let stats: StatsMessage = { type: 'stats', ts: now(), eventsLost: 0, flowsEvicted: 0, unattributed: 0, connections: 0 };
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const hello = (): HelloMessage => {
    const homes = hosts.flatMap((h) => (h.home ? [h.home] : []));
    // One home for the map: the only host's, else this machine's (per-host origins: docs/design.md "Fleet mode").
    const home = homes.length === 1 && hosts.length === 1 ? (homes[0] as Home) : options.home;
    return {
      type: 'hello',
      version: CONTRACT_VERSION,
      capture: 'ebpf',
      probes: NO_PROBES,
      geoip: null,
      home,
      limitations: [`Fleet: ${hosts.length} host(s) from Prometheus at ${options.prometheusUrl}: ${hosts.map((h) => h.instance).join(', ')}. Traffic per host, process and country; no addresses.`],
    };
  };
  const publish = (delta: Delta): void => {
    for (const listener of listeners) listener(delta);
  };

  const refreshOnce = async (): Promise<void> => {
    const ts = now();
    try {
      const [hostSamples, bytes, opened, losses] = await Promise.all([query(FLEET_QUERIES.hosts), query(FLEET_QUERIES.bytes), query(FLEET_QUERIES.opened), query(FLEET_QUERIES.losses)]);
      const hostsBefore = JSON.stringify(hosts);
      hosts = fleetHosts(hostSamples);
      const next = new Map(fleetEvents(bytes, opened, ts).map((e) => [e.id, e]));
      const events: ConnectionEvent[] = [];
      for (const [id, event] of next) {
        const before = connections.get(id);
        if (before === undefined) events.push(event);
        else if (before.txBytes !== event.txBytes || before.rxBytes !== event.rxBytes) events.push({ ...event, event: 'update' });
      }
      for (const [id, event] of connections) if (!next.has(id)) events.push({ ...event, event: 'close', ts });
      connections = next;
      stats = { type: 'stats', ts, eventsLost: Math.round(losses[0]?.value ?? 0), flowsEvicted: 0, unattributed: 0, connections: next.size };
      const banner = status.banner?.kind === 'error' ? null : status.banner;
      const changedStatus = status.capture !== 'ebpf' || banner !== status.banner;
      status = { ...status, capture: 'ebpf', banner };
      publish({ events, stats, ...(changedStatus ? { status } : {}), ...(JSON.stringify(hosts) !== hostsBefore ? { hello: hello() } : {}) });
    } catch (error) {
      status = { ...status, banner: { kind: 'error', message: `Prometheus at ${options.prometheusUrl}: ${(error as Error).message}. Showing the last data.`, canRetry: true } };
      publish({ events: [], status });
    }
  };
  const refresh = (): Promise<void> => (running ??= refreshOnce().finally(() => (running = null)));
  const schedule = (): void => {
    timer = setTimeout(() => void refresh().then(() => timer !== null && schedule()), options.intervalMs ?? 5000);
  };

  return {
    refresh,
    hosts: () => hosts,
    start() {
      if (timer !== null) return;
      timer = setTimeout(() => undefined, 0);
      void refresh().then(() => timer !== null && schedule());
    },
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
    snapshot: (): Snapshot => ({ hello: hello(), connections: [...connections.values()], stats, status }),
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
