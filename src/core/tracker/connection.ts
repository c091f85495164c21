// A tracked connection's state, and how it is written as a contract event.
import type { FlowCounters, FlowSample } from '../../shared/capture.js';
import type { ConnectionEvent, Direction, Endpoint, Family, ProcessInfo, Proto, RemoteEndpoint } from '../../shared/contract.js';

export interface Connection {
  key: string;
  id: string;
  ifindex: number;
  firstSeen: number;
  proto: Proto;
  family: Family;
  direction: Direction;
  local: Endpoint;
  remoteIp: string;
  remotePort: number;
  /** Enrichment, computed once at open (host filled in later if DNS was late). */
  remote: Omit<RemoteEndpoint, 'ip' | 'port'> | null;
  process: ProcessInfo | null;
  /** Counters as the source reports them, and the values they are reported relative to (clear()). */
  raw: FlowCounters;
  base: FlowCounters;
  tcpFlags: number;
  createdAt: number;
  lastActivity: number;
  lastEmit: number;
  opened: boolean;
  dirty: boolean;
  closedAt: number | null;
  /** When its end record came (it closes endGraceMs later), or null. */
  endedAt: number | null;
  countedUnattributed: boolean;
  /** The sample that created it: the key the owner join works on. */
  sample: FlowSample;
  /** When the previous flow on its tuple began: older owner records without a cookie are not its. */
  ownerNotBefore: number | null;
  /**
   * What was last emitted: the event and its counters. The event itself is rebuilt on demand
   * (connections()), not kept: at 50,000 connections a held copy of each was a third of the heap.
   */
  emitted: { event: ConnectionEvent['event']; ts: number; raw: FlowCounters } | null;
}

export function toEvent(connection: Connection, event: ConnectionEvent['event'], now: number, raw: FlowCounters = connection.raw): ConnectionEvent {
  const remote = connection.remote ?? { host: null, scope: 'unknown', geo: null, asn: null };
  return {
    type: 'connection',
    event,
    id: connection.id,
    ts: now,
    proto: connection.proto,
    direction: connection.direction,
    family: connection.family,
    local: { ...connection.local },
    remote: { ip: connection.remoteIp, port: connection.remotePort, ...remote },
    process: connection.process,
    txBytes: Math.max(0, raw.txBytes - connection.base.txBytes),
    rxBytes: Math.max(0, raw.rxBytes - connection.base.rxBytes),
    txPackets: Math.max(0, raw.txPackets - connection.base.txPackets),
    rxPackets: Math.max(0, raw.rxPackets - connection.base.rxPackets),
  };
}
