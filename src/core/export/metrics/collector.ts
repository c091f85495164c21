// The engine's messages as Prometheus series (docs/design.md "Metrics, OTLP and fleet"). Work on the
// engine's path is a map lookup and a few counter increments per event; everything derived from the
// engine's state (open connections, loss counters, capture info) is computed at scrape time.

import { Counter, Gauge, Registry, type OpenMetricsContentType } from 'prom-client';
import type { ConnectionEvent } from '../../../shared/contract.js';
import { PROBE_CAPABILITIES } from '../../../shared/contract.js';
import type { Engine } from '../../engine-types.js';
import { ProcessBudget, countryLabel, homeLabels } from './labels.js';
import { monotonicCounter } from './monotonic.js';

export interface MetricsOptions {
  /** Distinct `process` label values; the rest are `other`. */
  maxProcesses: number;
}

export interface MetricsCollector {
  /** Prometheus text format 0.0.4. */
  text: Registry;
  /** OpenMetrics 1.0 (same series). */
  openMetrics: Registry<OpenMetricsContentType>;
  dispose(): void;
}

interface Seen {
  tx: number;
  rx: number;
  hadProcess: boolean;
}

// The engine holds at most 50,000 live connections and closes each one it drops; this bound only
// guards against ids whose close never comes (a capture restart), oldest forgotten first.
const MAX_TRACKED = 100_000;

export function createMetricsCollector(engine: Engine, options: MetricsOptions): MetricsCollector {
  const text = new Registry();
  const openMetrics = new Registry<OpenMetricsContentType>();
  openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const registers = [text, openMetrics];
  const budget = new ProcessBudget(options.maxProcesses);
  const seen = new Map<string, Seen>();

  const bytes = new Counter({
    name: 'snitchmap_bytes_total',
    help: 'Bytes at the IP layer (headers included), tx = sent by this machine, rx = received.',
    labelNames: ['direction', 'process', 'proto', 'country', 'scope'] as const,
    registers,
  });
  const opened = new Counter({
    name: 'snitchmap_connections_total',
    help: 'Connections opened.',
    labelNames: ['process', 'proto', 'direction', 'country', 'scope'] as const,
    registers,
  });
  const unattributed = new Counter({
    name: 'snitchmap_unattributed_total',
    help: 'Connections that closed without ever being attributed to a process.',
    registers,
  });
  new Gauge({
    name: 'snitchmap_open_connections',
    help: 'Connections open now.',
    labelNames: ['process', 'proto'] as const,
    registers,
    collect() {
      this.reset();
      for (const c of engine.connections()) if (c.event !== 'close') this.inc({ process: budget.label(c.process), proto: c.proto });
    },
  });
  monotonicCounter('snitchmap_events_lost_total', 'Capture records lost (ring buffer full, undecodable).', registers, () => engine.stats().eventsLost);
  monotonicCounter('snitchmap_flows_evicted_total', 'Flows evicted from the kernel table or by the engine memory bound.', registers, () => engine.stats().flowsEvicted);
  new Gauge({
    name: 'snitchmap_capture_info',
    help: 'The capture mode and the winning program variant of each capability (none: nothing attached).',
    labelNames: ['mode', ...PROBE_CAPABILITIES.filter((c) => c !== 'startup')] as const,
    registers,
    collect() {
      const hello = engine.hello();
      this.reset();
      const labels: Record<string, string> = { mode: hello.capture };
      for (const capability of PROBE_CAPABILITIES) if (capability !== 'startup') labels[capability] = hello.probes[capability] ?? 'none';
      this.set(labels, 1);
    },
  });
  new Gauge({
    name: 'snitchmap_home_info',
    help: 'Where this host is: its home (lat, lon, label) and where that came from (source: set, time-zone or none). serve --fleet draws the host there.',
    labelNames: ['lat', 'lon', 'label', 'source'] as const,
    registers,
    collect() {
      this.reset();
      this.set(homeLabels(engine.hello()), 1);
    },
  });

  const onConnection = (event: ConnectionEvent): void => {
    const process = budget.label(event.process);
    const country = countryLabel(event);
    let entry = seen.get(event.id);
    if (entry === undefined) {
      if (event.event !== 'open') return; // an id from before a clear(): its bytes were counted
      opened.inc({ process, proto: event.proto, direction: event.direction, country, scope: event.remote.scope });
      if (seen.size >= MAX_TRACKED) seen.delete(seen.keys().next().value ?? '');
      entry = { tx: 0, rx: 0, hadProcess: false };
      seen.set(event.id, entry);
    }
    const labels = (direction: 'tx' | 'rx') => ({ direction, process, proto: event.proto, country, scope: event.remote.scope });
    if (event.txBytes > entry.tx) bytes.inc(labels('tx'), event.txBytes - entry.tx);
    if (event.rxBytes > entry.rx) bytes.inc(labels('rx'), event.rxBytes - entry.rx);
    entry.tx = Math.max(entry.tx, event.txBytes);
    entry.rx = Math.max(entry.rx, event.rxBytes);
    entry.hadProcess ||= event.process !== null;
    if (event.event === 'close') {
      if (!entry.hadProcess) unattributed.inc();
      seen.delete(event.id);
    }
  };
  const unsubscribe = engine.onMessage((message) => {
    if (message.type === 'connection') onConnection(message);
  });
  // After clear() live connections reopen under new ids counted from their current value: the old
  // ids will see no close, and their bytes are already counted.
  const unsubscribeCleared = engine.onCleared(() => seen.clear());

  return {
    text,
    openMetrics,
    dispose() {
      unsubscribe();
      unsubscribeCleared();
      text.clear();
      openMetrics.clear();
    },
  };
}
