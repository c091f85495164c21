// Builders for contract-shaped connection events, shared by the view-model tests and the e2e script.

import type { Snapshot } from '../../src/shared/api.js';
import type { ConnectionEvent, GeoInfo, HelloMessage, ProcessInfo, Scope } from '../../src/shared/contract.js';

export interface EventSpec {
  id: string;
  event?: ConnectionEvent['event'];
  ts?: number;
  proto?: ConnectionEvent['proto'];
  direction?: ConnectionEvent['direction'];
  ip?: string;
  port?: number;
  host?: string | null;
  scope?: Scope;
  geo?: GeoInfo | null;
  asn?: { number: number; org: string } | null;
  process?: Partial<ProcessInfo> | null;
  tx?: number;
  rx?: number;
}

export const BERLIN: GeoInfo = { country: 'DE', city: 'Berlin', lat: 52.52, lon: 13.405 };
export const NEW_YORK: GeoInfo = { country: 'US', city: 'New York', lat: 40.7128, lon: -74.006 };
export const TOKYO: GeoInfo = { country: 'JP', city: 'Tokyo', lat: 35.6762, lon: 139.6503 };

export function makeEvent(spec: EventSpec): ConnectionEvent {
  const process: ProcessInfo | null = spec.process === null ? null : {
    pid: 100, name: 'curl', exe: '/usr/bin/curl', cmdline: 'curl https://example.org', uid: 1000, user: 'alice',
    ...spec.process,
  };
  return {
    type: 'connection',
    event: spec.event ?? 'open',
    id: spec.id,
    ts: spec.ts ?? 1_000_000,
    proto: spec.proto ?? 'tcp',
    direction: spec.direction ?? 'outbound',
    family: (spec.ip ?? '').includes(':') ? 6 : 4,
    local: { ip: '192.168.1.10', port: 40000 },
    remote: {
      ip: spec.ip ?? '203.0.113.5',
      port: spec.port ?? 443,
      host: spec.host === undefined ? 'example.org' : spec.host,
      scope: spec.scope ?? 'internet',
      geo: spec.geo === undefined ? BERLIN : spec.geo,
      asn: spec.asn === undefined ? { number: 64500, org: 'Example Net' } : spec.asn,
    },
    process,
    txBytes: spec.tx ?? 0,
    rxBytes: spec.rx ?? 0,
    txPackets: 0,
    rxPackets: 0,
  };
}

export const HELLO: HelloMessage = {
  type: 'hello',
  version: 1,
  capture: 'ebpf',
  probes: {
    tc: 'tcx', connect: 'cgroup:connect4', accept: 'tp_btf:inet_sock_set_state', udp: 'cgroup:sendmsg4',
    close: 'tp_btf:inet_sock_set_state', exec: 'tp_btf:sched_process_exec', dns: 'tc:dns', startup: 'iter:task_file',
    icmp: 'cgroup:sock_create',
  },
  geoip: { database: 'DB-IP City Lite', built: '2026-06-05', attribution: 'IP Geolocation by DB-IP' },
  home: { lat: 48.8566, lon: 2.3522, label: 'Paris' },
};

export function makeSnapshot(connections: ConnectionEvent[], ts = 1_000_000): Snapshot {
  return {
    hello: HELLO,
    connections,
    stats: { type: 'stats', ts, eventsLost: 0, flowsEvicted: 0, unattributed: 0, connections: connections.length },
    status: { paused: false, capture: 'ebpf', banner: null },
  };
}
