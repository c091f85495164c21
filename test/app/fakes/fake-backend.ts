// One in-memory SnitchmapApi that both transports are tested against.

import type { AppStatus, Delta, Settings, SnitchmapApi, Snapshot } from '../../../src/shared/api.js';
import type { ConnectionEvent } from '../../../src/shared/contract.js';

export const STATUS: AppStatus = { paused: false, capture: 'ebpf', banner: null };

export function connection(id: string, overrides: Partial<ConnectionEvent> = {}): ConnectionEvent {
  return {
    type: 'connection',
    event: 'open',
    id,
    ts: 1_700_000_000_000,
    proto: 'tcp',
    direction: 'outbound',
    family: 4,
    local: { ip: '10.0.0.2', port: 40000 },
    remote: { ip: '198.51.100.7', port: 443, host: 'example.test', scope: 'internet', geo: { country: 'FR', city: 'Paris', lat: 48.85, lon: 2.35 }, asn: null },
    process: { pid: 1234, name: 'curl', exe: '/usr/bin/curl', cmdline: 'curl https://example.test', uid: 1000, user: 'alice' },
    txBytes: 100,
    rxBytes: 2000,
    txPackets: 2,
    rxPackets: 3,
    ...overrides,
  };
}

export function snapshot(connections: ConnectionEvent[] = [connection('c1')], status: AppStatus = STATUS): Snapshot {
  return {
    hello: {
      type: 'hello',
      version: 1,
      capture: 'ebpf',
      probes: { tc: 'tcx', connect: 'tp_btf:inet_sock_set_state', accept: null, udp: null, close: null, exec: null, dns: null, startup: 'iter:task_file', icmp: null },
      geoip: null,
      home: { lat: 48.85, lon: 2.35, label: 'Paris' },
    },
    connections,
    stats: { type: 'stats', ts: 1, eventsLost: 0, flowsEvicted: 0, unattributed: 0, connections: connections.length },
    status,
  };
}

export interface FakeBackend extends SnitchmapApi {
  calls: string[];
  emit(delta: Delta): void;
  current: Snapshot;
}

export function createFakeBackend(): FakeBackend {
  const listeners = new Set<(delta: Delta) => void>();
  let settings: Settings = {
    home: null,
    onlineTiles: { enabled: false, url: '', attribution: '' },
    notifications: { newProcess: false, newCountry: false },
  };
  const backend: FakeBackend = {
    calls: [],
    current: snapshot(),
    emit(delta) {
      for (const listener of listeners) listener(delta);
    },
    async getSnapshot() {
      backend.calls.push('getSnapshot');
      return backend.current;
    },
    onDelta(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async pause() {
      backend.calls.push('pause');
    },
    async resume() {
      backend.calls.push('resume');
    },
    async clear() {
      backend.calls.push('clear');
    },
    async getSettings() {
      backend.calls.push('getSettings');
      return settings;
    },
    async updateSettings(patch) {
      backend.calls.push(`updateSettings ${JSON.stringify(patch)}`);
      if ('home' in patch && patch.home && patch.home.lat > 90) throw new Error('home.lat must be a number between -90 and 90');
      settings = { ...settings, ...patch };
      return settings;
    },
    async retryCapture() {
      backend.calls.push('retryCapture');
      throw new Error('pkexec is not installed');
    },
    async getHistory(window) {
      backend.calls.push(`getHistory ${window.from}-${window.to}`);
      return { enabled: false, file: null, connections: [], total: 0, truncated: false, notice: 'history is off' };
    },
    async getTimeline(range) {
      backend.calls.push('getTimeline');
      return { enabled: false, oldest: null, stepMs: range.stepMs, bins: [], notice: 'history is off' };
    },
  };
  return backend;
}
