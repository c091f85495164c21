// Engine and Publisher stand-ins (src/core/engine-types.ts) for CLI tests.

import { EventEmitter } from 'node:events';
import type { AppStatus, Delta, Snapshot } from '../../../src/shared/api.js';
import type { ConnectionEvent, HelloMessage, StatsMessage, WatchMessage } from '../../../src/shared/contract.js';
import type { Engine, EngineOptions, Publisher } from '../../../src/core/engine-types.js';
import type { CaptureSink, CaptureSource } from '../../../src/core/capture/source.js';
import type { CaptureHello } from '../../../src/shared/capture.js';
import { failureOf, type Elevation } from '../../../src/core/app/elevation.js';

export const HELLO: HelloMessage = {
  type: 'hello',
  version: 1,
  capture: 'proc',
  probes: { tc: null, connect: null, accept: null, udp: null, close: null, exec: null, dns: null, startup: null, icmp: null },
  geoip: null,
  home: { lat: 1, lon: 2, label: 'Home' },
  limitations: ['no byte counts'],
};

export function connection(overrides: Partial<ConnectionEvent> = {}): ConnectionEvent {
  return {
    type: 'connection',
    event: 'open',
    id: 'c1',
    ts: 1_700_000_000_000,
    proto: 'tcp',
    direction: 'outbound',
    family: 4,
    local: { ip: '10.0.0.1', port: 40000 },
    remote: { ip: '10.0.0.2', port: 443, host: 'example.org', scope: 'lan', geo: { country: 'FR', city: 'Lab', lat: 48.85, lon: 2.35 }, asn: null },
    process: { pid: 42, name: 'curl', exe: '/usr/bin/curl', cmdline: 'curl x', uid: 1000, user: 'me' },
    txBytes: 0,
    rxBytes: 0,
    txPackets: 0,
    rxPackets: 0,
    ...overrides,
  };
}

export class FakeEngine implements Engine {
  listeners = new Set<(m: WatchMessage) => void>();
  started = 0;
  stopped = 0;
  paused = 0;
  resumed = 0;
  cleared = 0;
  startError: Error | null = null;
  emitHelloOnStart = true;
  /** Emitted during start(), before the hello (an engine that reports early events). */
  emitOnStart: WatchMessage[] = [];

  constructor(readonly options: EngineOptions | null = null) {}

  async start(): Promise<HelloMessage> {
    this.started++;
    if (this.startError) throw this.startError;
    await this.options?.source.start({ flows() {}, flowEnds() {}, owners() {}, dns() {}, stats() {}, failed() {} });
    for (const message of this.emitOnStart) this.emit(message);
    if (this.emitHelloOnStart) this.emit(HELLO);
    return HELLO;
  }
  async stop(): Promise<void> {
    this.stopped++;
    await this.options?.source.stop();
  }
  async pause(): Promise<void> {
    this.paused++;
  }
  async resume(): Promise<void> {
    this.resumed++;
  }
  clear(): void {
    this.cleared++;
  }
  onMessage(listener: (m: WatchMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  connections(): ConnectionEvent[] {
    return [];
  }
  hello(): HelloMessage {
    return HELLO;
  }
  stats(): StatsMessage {
    return { type: 'stats', ts: 1, eventsLost: 0, flowsEvicted: 0, unattributed: 0, connections: 0 };
  }
  onCleared(_listener: () => void): () => void {
    return () => undefined;
  }
  emit(message: WatchMessage): void {
    for (const listener of this.listeners) listener(message);
  }
}

export class FakePublisher implements Publisher {
  private readonly events = new EventEmitter();
  status: AppStatus = { paused: false, capture: 'none', banner: null };
  disposed = 0;

  snapshot(): Snapshot {
    return { hello: HELLO, connections: [connection()], stats: { type: 'stats', ts: 1, eventsLost: 0, flowsEvicted: 0, unattributed: 0, connections: 1 }, status: this.status };
  }
  onDelta(listener: (delta: Delta) => void): () => void {
    this.events.on('delta', listener);
    return () => this.events.off('delta', listener);
  }
  setStatus(status: Partial<AppStatus>): void {
    this.status = { ...this.status, ...status };
  }
  dispose(): void {
    this.disposed++;
  }
  publish(delta: Delta): void {
    this.events.emit('delta', delta);
  }
}

/** A source that starts at once and lets the test kill it, like a helper that dies. */
export class DyingSource implements CaptureSource {
  readonly kind = 'ebpf' as const;
  sink: CaptureSink | null = null;
  starts = 0;
  async start(sink: CaptureSink): Promise<CaptureHello> {
    this.starts++;
    this.sink = sink;
    return { capture: 'ebpf', probes: HELLO.probes, limitations: [], kernel: null };
  }
  async pause(): Promise<void> {}
  async resume(): Promise<void> {}
  async stop(): Promise<void> {}
}

/** An elevation whose "helper" is `source` (a DyingSource, say): preflight passes, failures keep their code. */
export function fakeElevation(source: CaptureSource): Elevation {
  return { waiting: null, procMode: 'It polls /proc.', preflight: () => null, helperSource: () => source, classify: failureOf };
}
