// A tracked connection's state, and how it is written as a contract event. One flat object of
// fixed shape per connection: at 50,000 connections the nested objects it used to hold (its first
// kernel row, its local endpoint, its enrichment, its last event) were half of its ~1.3 KB
// (heap snapshot, bench/RESULTS.md). What is shared (process, place, network) is referenced.
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, type FlowCounters, type FlowSample } from '../../shared/capture.js';
import type { AsnInfo, ConnectionEvent, Direction, Family, GeoInfo, ProcessInfo, Proto, RemoteEndpoint, Scope } from '../../shared/contract.js';

export const PROTO_NAMES = new Map<number, Proto>([
  [IPPROTO_TCP, 'tcp'],
  [IPPROTO_UDP, 'udp'],
  [IPPROTO_ICMP, 'icmp'],
  [IPPROTO_ICMPV6, 'icmpv6'],
]);

// Flags and the last emitted event's kind share one small integer: node's V8 keeps 8-byte fields,
// and the five they replace (and the protocol's name, now derived) were 48 of a connection's ~280
// bytes (heap snapshot at 50,000 connections). Opened and closed are read off the last event.
const DIRTY = 1;
const COUNTED_UNATTRIBUTED = 2;
const EMITTED_SHIFT = 2;
const EMITTED_KINDS: Array<ConnectionEvent['event'] | null> = [null, 'open', 'update', 'close'];

export const ZERO: FlowCounters = Object.freeze({ txBytes: 0, rxBytes: 0, txPackets: 0, rxPackets: 0 });

export function countersOf(sample: FlowCounters): FlowCounters {
  return { txBytes: sample.txBytes, rxBytes: sample.rxBytes, txPackets: sample.txPackets, rxPackets: sample.rxPackets };
}

export class Connection {
  /** Numbers its id (`<tracker prefix>-<serial in base 36>`); a new one after clear(). */
  serial: number;
  readonly ifindex: number;
  readonly firstSeen: number;
  /** The IP protocol number (the owner join's key). */
  readonly proto: number;
  readonly family: Family;
  direction: Direction;
  readonly localIp: string;
  readonly localPort: number;
  remoteIp: string;
  readonly remotePort: number;
  /** The socket that sent on it (the owner join's first key), once the kernel saw one. */
  cookie: string | null;
  /** Enrichment, computed once at open (host filled in later if DNS was late); scope null before. */
  host: string | null = null;
  scope: Scope | null = null;
  geo: GeoInfo | null = null;
  asn: AsnInfo | null = null;
  process: ProcessInfo | null = null;
  /**
   * Counters as the source reports them, kept in place: a counters object replaced at every update
   * lived long enough to be promoted, and each update left one behind in the old generation until
   * the next full collection. `base`: what they count from (clear()).
   */
  txBytes: number;
  rxBytes: number;
  txPackets: number;
  rxPackets: number;
  base: FlowCounters = ZERO;
  tcpFlags: number;
  readonly createdAt: number;
  lastActivity: number;
  /** What was last emitted: its time, counters and kind (emittedEvent); connections() rebuilds it. */
  lastEmit = 0;
  private emittedTxBytes = 0;
  private emittedRxBytes = 0;
  private emittedTxPackets = 0;
  private emittedRxPackets = 0;
  private state = 0;
  /** When its end record came (it closes endGraceMs later), or null. */
  endedAt: number | null = null;
  /** When the previous flow on its tuple began: older owner records without a cookie are not its. */
  readonly ownerNotBefore: number | null;

  constructor(readonly key: string, serial: number, sample: FlowSample, direction: Direction, now: number, ownerNotBefore: number | null) {
    this.serial = serial;
    this.ifindex = sample.ifindex;
    this.firstSeen = sample.firstSeen;
    this.proto = sample.proto;
    this.family = sample.family;
    this.direction = direction;
    this.localIp = sample.localIp;
    this.localPort = sample.localPort;
    this.remoteIp = sample.remoteIp;
    this.remotePort = sample.remotePort;
    this.cookie = sample.cookie ?? null;
    this.txBytes = sample.txBytes;
    this.rxBytes = sample.rxBytes;
    this.txPackets = sample.txPackets;
    this.rxPackets = sample.rxPackets;
    this.tcpFlags = sample.tcpFlags;
    this.createdAt = now;
    this.lastActivity = now;
    this.ownerNotBefore = ownerNotBefore;
  }

  /** The contract's name of its protocol (the tracker keeps only TCP, UDP and ICMP echo). */
  get protoName(): Proto {
    return PROTO_NAMES.get(this.proto) ?? 'udp';
  }

  private flag(bit: number, on: boolean): void {
    this.state = on ? this.state | bit : this.state & ~bit;
  }

  /** Its open event went out (since the last clear()). */
  get opened(): boolean {
    return this.emittedEvent !== null;
  }

  get closed(): boolean {
    return this.emittedEvent === 'close';
  }

  /** Its counters moved since its last event. */
  get dirty(): boolean {
    return (this.state & DIRTY) !== 0;
  }
  set dirty(on: boolean) {
    this.flag(DIRTY, on);
  }

  /** It is counted in the tracker's `unattributed` (opened without an owner). */
  get countedUnattributed(): boolean {
    return (this.state & COUNTED_UNATTRIBUTED) !== 0;
  }
  set countedUnattributed(on: boolean) {
    this.flag(COUNTED_UNATTRIBUTED, on);
  }

  get emittedEvent(): ConnectionEvent['event'] | null {
    return EMITTED_KINDS[this.state >> EMITTED_SHIFT] ?? null;
  }
  set emittedEvent(event: ConnectionEvent['event'] | null) {
    this.state = (this.state & ((1 << EMITTED_SHIFT) - 1)) | (EMITTED_KINDS.indexOf(event) << EMITTED_SHIFT);
  }

  setCounters(counters: FlowCounters): void {
    this.txBytes = counters.txBytes;
    this.rxBytes = counters.rxBytes;
    this.txPackets = counters.txPackets;
    this.rxPackets = counters.rxPackets;
  }

  markEmitted(event: ConnectionEvent['event'], now: number): void {
    this.emittedEvent = event;
    this.lastEmit = now;
    this.emittedTxBytes = this.txBytes;
    this.emittedRxBytes = this.rxBytes;
    this.emittedTxPackets = this.txPackets;
    this.emittedRxPackets = this.rxPackets;
  }

  emittedCounters(): FlowCounters {
    return { txBytes: this.emittedTxBytes, rxBytes: this.emittedRxBytes, txPackets: this.emittedTxPackets, rxPackets: this.emittedRxPackets };
  }

  describe(remote: Omit<RemoteEndpoint, 'ip' | 'port'>): void {
    this.host = remote.host;
    this.scope = remote.scope;
    this.geo = remote.geo;
    this.asn = remote.asn;
  }
}

export function toEvent(connection: Connection, id: string, event: ConnectionEvent['event'], now: number, raw: FlowCounters = connection): ConnectionEvent {
  const base = connection.base;
  return {
    type: 'connection',
    event,
    id,
    ts: now,
    proto: connection.protoName,
    direction: connection.direction,
    family: connection.family,
    local: { ip: connection.localIp, port: connection.localPort },
    remote: {
      ip: connection.remoteIp,
      port: connection.remotePort,
      host: connection.host,
      scope: connection.scope ?? 'unknown',
      geo: connection.geo,
      asn: connection.asn,
    },
    process: connection.process,
    txBytes: Math.max(0, raw.txBytes - base.txBytes),
    rxBytes: Math.max(0, raw.rxBytes - base.rxBytes),
    txPackets: Math.max(0, raw.txPackets - base.txPackets),
    rxPackets: Math.max(0, raw.rxPackets - base.rxPackets),
  };
}
