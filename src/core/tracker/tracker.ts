// Joins capture records into the contract's connections: `open` once and first, `update`s at most
// once per `updateIntervalMs`, `close` once and last. A connection is one (proto, local, remote)
// tuple in canonical orientation; its counters come from the first interface it was seen on, since
// the same packets also cross veth, bridge and NIC and summing them would double-count.
import {
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  type FlowCounters,
  type FlowEnd,
  type FlowSample,
  type OwnerRecord,
} from '../../shared/capture.js';
import type { ConnectionEvent, ProcessInfo, Proto, RemoteEndpoint } from '../../shared/contract.js';
import { processInfoOf, type AppNamer, type OwnerProcess } from '../apps/process-info.js';
import { Interner } from '../interner.js';
import { canonical } from './canonical.js';
import { ownerDirection, sampleDirection } from './direction.js';
import { OwnerCompactor, type SocketOwner } from './owner-compact.js';
import { OwnerIndex, tupleKey, type OwnerMatch } from './owner-index.js';
import type { UserLookup } from './users.js';
import { Connection, countersOf, PROTO_NAMES, toEvent, ZERO } from './connection.js';

export interface TrackerOptions {
  now: () => number;
  emit: (event: ConnectionEvent) => void;
  /** Everything about the remote end except its address and port (scope, geo, ASN, host). */
  describeRemote: (ip: string) => Omit<RemoteEndpoint, 'ip' | 'port'>;
  hostFor: (ip: string) => string | null;
  userOf: UserLookup;
  /** Display names of apps (desktop entries); the derived app as is when absent. */
  nameApp?: AppNamer;
  maxConnections?: number;
  updateIntervalMs?: number;
  udpIdleMs?: number;
  /** How long a flow without an owner waits for one before it opens unattributed. */
  ownerWaitMs?: number;
  /**
   * How long a connection stays open after its end record, so that the flow-table row read after
   * it (the helper reads the table once a second) still adds the last packets to its counters.
   * 0 closes at once.
   */
  endGraceMs?: number;
  /** Closed connections stay visible in connections() this long. */
  closedRetentionMs?: number;
}

export interface TrackerCounters {
  evicted: number;
  unattributed: number;
  otherProtocols: number;
  live: number;
}

/** ICMP echo has no end on the wire: a ping that stopped for this long is over. */
const ICMP_IDLE_MS = 10_000;
const TCP_FIN_OR_RST = 0x01 | 0x04;
const TCP_SYN = 0x02;
/** After FIN/RST, a TCP flow that stops changing is over even if no end record comes. */
const TCP_CLOSING_IDLE_MS = 5_000;
/**
 * Owner records come within moments of a socket's first packet (or at start-up for sockets that
 * predate the capture). Retrying the join for older flows on every owner batch would cost
 * O(unattributed × batches) for flows nobody will ever claim (forwarded or container traffic).
 */
const OWNER_RETRY_MS = 30_000;

/**
 * TCP, UDP, and ICMP echo (the TC program keys echo by its identifier as the local port; other ICMP
 * messages have no port and stay in the kernel's counters only, like every other protocol).
 */
function protoOf(sample: FlowSample): Proto | null {
  const name = PROTO_NAMES.get(sample.proto);
  if (!name) return null;
  if (name === 'icmp' || name === 'icmpv6') return sample.localPort !== 0 && sample.remotePort === 0 ? name : null;
  return name;
}

function sameCounters(a: FlowCounters, b: FlowCounters): boolean {
  return a.txBytes === b.txBytes && a.rxBytes === b.rxBytes && a.txPackets === b.txPackets && a.rxPackets === b.rxPackets;
}

export class Tracker {
  private readonly live = new Map<string, Connection>();
  /** Recently closed connections, oldest first; their close event is rebuilt on demand. */
  private readonly closed = new Set<Connection>();
  /**
   * Tuples just closed, with their kernel row's firstSeen and final counters: a late TCP row of the
   * same kernel flow is ignored; a UDP row with the same counters too, while one whose counters moved
   * on (a conversation resumed after the idle close) becomes a new connection counted from there.
   */
  private readonly ended = new Map<string, { firstSeen: number; raw: FlowCounters; at: number; finished: boolean; takenOver?: boolean }>();
  private readonly ownerIndex = new OwnerIndex();
  private readonly ownerCompactor = new OwnerCompactor();
  private readonly processes = new WeakMap<OwnerProcess, ProcessInfo>();
  private readonly sharedProcesses = new Interner<ProcessInfo>(4_096);
  private readonly unowned = new Set<Connection>();
  private nextId = 1;
  private readonly idPrefix: string;
  private readonly counters = { evicted: 0, unattributed: 0, otherProtocols: 0 };
  private readonly maxConnections: number;
  private readonly updateIntervalMs: number;
  private readonly udpIdleMs: number;
  private readonly ownerWaitMs: number;
  private readonly endGraceMs: number;
  private readonly closedRetentionMs: number;

  private presenceMeansActivity = false;

  constructor(private readonly options: TrackerOptions) {
    this.maxConnections = options.maxConnections ?? 50_000;
    this.updateIntervalMs = options.updateIntervalMs ?? 1_000;
    this.udpIdleMs = options.udpIdleMs ?? 60_000;
    this.ownerWaitMs = options.ownerWaitMs ?? 300;
    this.endGraceMs = options.endGraceMs ?? 1_100;
    this.closedRetentionMs = options.closedRetentionMs ?? 60_000;
    this.idPrefix = options.now().toString(36);
  }

  flows(samples: FlowSample[]): void {
    const now = this.options.now();
    for (const raw of samples) {
      const sample = canonical(raw);
      if (protoOf(sample) === null) {
        this.counters.otherProtocols++;
        continue;
      }
      const key = tupleKey(sample.proto, sample.localIp, sample.localPort, sample.remoteIp, sample.remotePort);
      const existing = this.live.get(key);
      if (existing) {
        this.refresh(existing, sample, now);
      } else {
        this.createUnlessEnded(key, sample, now);
      }
    }
  }

  private createUnlessEnded(key: string, sample: FlowSample, now: number): void {
    const ended = this.ended.get(key);
    // A TCP row with the firstSeen of a connection already closed is that kernel flow read after its
    // end record (seen end to end on loopback: the row carrying the FIN exchange, ~100 bytes, came
    // after the end record and was reported as a second connection).
    if (ended && sample.proto === IPPROTO_TCP && ended.firstSeen === sample.firstSeen) return;
    // Should the kernel drop a row at FIN/RST, the last ACKs would create a fresh row without SYN:
    // the tail of the connection just closed. A new connection on this tuple starts with a SYN.
    if (ended?.finished && sample.proto === IPPROTO_TCP && (sample.tcpFlags & TCP_SYN) === 0) return;
    if (!ended || ended.firstSeen !== sample.firstSeen) {
      this.create(key, sample, now);
      return;
    }
    if (sameCounters(ended.raw, sample)) return;
    this.ended.delete(key);
    this.create(key, sample, now, { ...ended.raw });
  }

  private refresh(connection: Connection, sample: FlowSample, now: number): void {
    if (sample.ifindex !== connection.ifindex) return;
    const otherSocket = !!sample.cookie && !!connection.cookie && sample.cookie !== connection.cookie;
    const restarted =
      sample.firstSeen !== connection.firstSeen &&
      (otherSocket || sample.txBytes + sample.rxBytes < connection.txBytes + connection.rxBytes);
    if (restarted) {
      // A SYN-less row after FIN/RST would be the teardown tail (see createUnlessEnded) while the end
      // record is still on its way: the connection it belongs to closes on that record.
      const isTail = sample.proto === IPPROTO_TCP && (sample.tcpFlags & TCP_SYN) === 0 && (connection.tcpFlags & TCP_FIN_OR_RST) !== 0;
      if (isTail) return;
      this.close(connection, now);
      this.create(connection.key, sample, now);
      return;
    }
    connection.tcpFlags |= sample.tcpFlags;
    // A flow first seen inbound learns its socket at its first reply: join its owner by it now.
    if (sample.cookie && !connection.cookie) {
      connection.cookie = sample.cookie;
      if (!connection.process) this.attribute(connection, now);
    }
    if (this.presenceMeansActivity) connection.lastActivity = now;
    if (sameCounters(connection, sample)) return;
    connection.setCounters(sample);
    connection.dirty = true;
    connection.lastActivity = now;
    this.live.delete(connection.key);
    this.live.set(connection.key, connection);
  }

  private create(key: string, sample: FlowSample, now: number, base: FlowCounters = ZERO, ownerUpTo: number | null = null): Connection {
    // A TCP flow that starts with a SYN on a tuple is a new socket (a SYN-less row is the kernel
    // recreating the row of a connection it evicted); a UDP one only when the kernel saw another
    // socket take the tuple over (an idle UDP socket sending again is still its old record's).
    const before = this.ended.get(key);
    const startsWithSyn = sample.proto === IPPROTO_TCP && (sample.tcpFlags & TCP_SYN) !== 0;
    const newSocket = before !== undefined && before.firstSeen < sample.firstSeen && (startsWithSyn || before.takenOver === true);
    const ownerNotBefore = newSocket ? before.firstSeen : null;
    const match = this.ownerIndex.find(sample, ownerNotBefore, ownerUpTo);
    const direction = ownerDirection(match) ?? sampleDirection(sample);
    if (match?.owner.claim === key) key = match.owner.claim;
    const connection = new Connection(key, this.nextId++, sample, direction, now, ownerNotBefore);
    connection.base = base;
    if (match) this.join(connection, match);
    this.live.set(key, connection);
    if (connection.process) this.open(connection, now);
    else this.unowned.add(connection);
    this.evictOverflow(now);
    return connection;
  }

  /**
   * One ProcessInfo per owner record, and one per distinct content: the sockets of one process share
   * it (at 50,000 connections from 50 processes, 50 objects instead of 50,000).
   */
  private processOf(owner: SocketOwner): ProcessInfo {
    let info = this.processes.get(owner.process);
    if (!info) {
      const built = processInfoOf(owner.process, this.options.userOf(owner.process.uid), this.options.nameApp ?? ((app) => app));
      info = this.sharedProcesses.get(built, (process) => JSON.stringify(process)) ?? built;
      this.processes.set(owner.process, info);
    }
    return info;
  }

  /** Gives a connection its owner's process; the strings it has in common with the record are shared. */
  private join(connection: Connection, match: OwnerMatch): void {
    connection.process = this.processOf(match.owner);
    if (match.owner.cookie !== null && match.owner.cookie === connection.cookie) connection.cookie = match.owner.cookie;
    if (match.owner.remoteIp === connection.remoteIp) connection.remoteIp = match.owner.remoteIp;
  }

  private evictOverflow(now: number): void {
    while (this.live.size > this.maxConnections) {
      const oldest = this.live.values().next();
      if (oldest.done) return;
      this.counters.evicted++;
      this.close(oldest.value, now);
    }
  }

  owners(records: OwnerRecord[]): void {
    for (const record of records) this.ownerIndex.add(this.ownerCompactor.compact(canonical(record)));
    if (records.length === 0) return;
    const now = this.options.now();
    for (const connection of this.unowned) this.attribute(connection, now);
  }

  /** Joins an unowned connection to its owner, if one is known now. */
  private attribute(connection: Connection, now: number): void {
    const match: OwnerMatch | null = this.ownerIndex.find(connection, connection.ownerNotBefore);
    if (!match) return;
    this.unowned.delete(connection);
    this.join(connection, match);
    if (!connection.opened) connection.direction = ownerDirection(match) ?? connection.direction;
    if (connection.countedUnattributed) {
      this.counters.unattributed--;
      connection.countedUnattributed = false;
    }
    if (connection.opened) connection.dirty = true;
    else this.open(connection, now);
  }

  /**
   * The /proc source lists only sockets that exist and has no counters: there a sample is the proof
   * of life, and the UDP idle timeout must not close a socket that is still open. Kernel flow rows
   * outlive their traffic, so for the eBPF source only moving counters count.
   */
  setPresenceMeansActivity(value: boolean): void {
    this.presenceMeansActivity = value;
  }

  /** The source is gone: every live connection ends now. */
  closeAll(): void {
    const now = this.options.now();
    for (const connection of [...this.live.values()]) this.close(connection, now);
  }

  flowEnds(ends: FlowEnd[]): void {
    const now = this.options.now();
    for (const raw of ends) {
      const end = canonical(raw);
      const key = tupleKey(end.proto, end.localIp, end.localPort, end.remoteIp, end.remotePort);
      if (end.reason === 'reuse') {
        if (end.final) this.reused(key, canonical(end.final), now);
        continue;
      }
      const connection = this.live.get(key);
      // Socket-level ends (the close hook) carry ifindex 0: they end the connection on any interface.
      if (!connection || (end.ifindex !== 0 && connection.ifindex !== end.ifindex)) continue;
      if (end.reason === 'evicted') {
        // The kernel row is gone: no later row can complete the counters.
        this.counters.evicted++;
        this.close(connection, now);
      } else if (this.endGraceMs === 0) {
        this.close(connection, now, true);
      } else {
        connection.endedAt ??= now;
      }
    }
  }

  /**
   * Another socket took over the tuple: the old flow's final row closes its connection with exact
   * counters. A flow that came and went before any row of it was read opens and closes here.
   */
  private reused(key: string, final: FlowSample, now: number): void {
    const connection = this.live.get(key);
    if (connection && connection.ifindex !== final.ifindex) return;
    if (connection && connection.firstSeen === final.firstSeen) {
      this.refresh(connection, final, now);
      this.close(connection, now, true);
      this.markTakenOver(key);
      return;
    }
    if (protoOf(final) === null || this.ended.get(key)?.firstSeen === final.firstSeen) return;
    if (connection && connection.firstSeen < final.firstSeen) return;
    // Never seen, or seen only through the new socket's row (on a slow machine the row read at the
    // old flow's open can already be the new socket's): the old flow opens and closes on its own,
    // and the new socket's connection stays.
    if (connection) this.live.delete(key);
    this.close(this.create(key, final, now, ZERO, final.firstSeen), now, true);
    this.markTakenOver(key);
    if (connection) this.live.set(key, connection);
  }

  private markTakenOver(key: string): void {
    const ended = this.ended.get(key);
    if (ended) ended.takenOver = true;
  }

  /** When this live connection closes for lack of traffic, if nothing else comes (ms since the epoch). */
  private idleEnd(connection: Connection): number {
    // Protocol numbers, not names: this runs for every live connection at every tick.
    if (connection.proto === IPPROTO_UDP) return connection.lastActivity + this.udpIdleMs;
    if (connection.proto === IPPROTO_ICMP || connection.proto === IPPROTO_ICMPV6) return connection.lastActivity + ICMP_IDLE_MS;
    if ((connection.tcpFlags & TCP_FIN_OR_RST) !== 0) return connection.lastActivity + TCP_CLOSING_IDLE_MS;
    return Infinity;
  }

  /**
   * Emits what is due: opens past the owner wait, rate-limited updates, idle closes, expiry. Returns
   * when something next falls due (ms since the epoch; Infinity: only new input can change anything),
   * so the engine sleeps until then instead of ticking on a timer.
   */
  tick(): number {
    const now = this.options.now();
    let next = Infinity;
    // Iterated in place (a Map iterator skips what close() deletes): a copy of the references was
    // 400 KB at 50,000 connections, allocated straight into the old generation at every tick.
    for (const connection of this.live.values()) {
      const endsAt = Math.min(connection.endedAt === null ? Infinity : connection.endedAt + this.endGraceMs, this.idleEnd(connection));
      if (now >= endsAt) {
        this.close(connection, now, true);
        continue;
      }
      next = Math.min(next, endsAt);
      if (!connection.opened) {
        if (connection.process || now - connection.createdAt >= this.ownerWaitMs) this.open(connection, now);
        else next = Math.min(next, connection.createdAt + this.ownerWaitMs);
      } else if (connection.dirty) {
        // The first bytes after the open go out at once (a connection's payload usually follows its
        // handshake by milliseconds; waiting the interval put first bytes ~1 s behind, measured);
        // later updates at most once per interval, and none at once for a connection already ending
        // (its close, due soon, carries the counters).
        const first = connection.emittedEvent === 'open' && connection.endedAt === null;
        const dueAt = first ? connection.lastEmit : connection.lastEmit + this.updateIntervalMs;
        if (now >= dueAt) this.send(connection, 'update', now);
        else next = Math.min(next, dueAt);
      }
    }
    for (const connection of this.unowned) {
      if (now - connection.createdAt < OWNER_RETRY_MS) break;
      this.unowned.delete(connection);
    }
    for (const connection of this.closed) {
      if (now - connection.lastEmit < this.closedRetentionMs) break;
      this.closed.delete(connection);
    }
    for (const [key, ended] of this.ended) {
      if (now - ended.at < this.closedRetentionMs) break;
      this.ended.delete(key);
    }
    const oldestClosed = this.closed.values().next();
    if (!oldestClosed.done) next = Math.min(next, oldestClosed.value.lastEmit + this.closedRetentionMs);
    return next;
  }

  private open(connection: Connection, now: number): void {
    connection.describe(this.options.describeRemote(connection.remoteIp));
    if (!connection.process) {
      connection.countedUnattributed = true;
      this.counters.unattributed++;
    }
    this.send(connection, 'open', now);
  }

  private send(connection: Connection, event: ConnectionEvent['event'], now: number): void {
    if (connection.scope !== null && connection.host === null) connection.host = this.options.hostFor(connection.remoteIp);
    connection.dirty = false;
    connection.markEmitted(event, now);
    this.options.emit(toEvent(connection, this.idOf(connection), event, now));
  }

  private idOf(connection: Connection): string {
    return `${this.idPrefix}-${connection.serial.toString(36)}`;
  }

  /** `finished`: the connection ended (FIN, RST, socket closed), as opposed to evicted or lost. */
  private close(connection: Connection, now: number, finished = false): void {
    if (connection.closed) return;
    if (!connection.opened) this.open(connection, now);
    this.live.delete(connection.key);
    this.unowned.delete(connection);
    this.ended.delete(connection.key);
    this.ended.set(connection.key, { firstSeen: connection.firstSeen, raw: countersOf(connection), at: now, finished });
    this.send(connection, 'close', now);
    this.closed.add(connection);
  }

  /** Drops all held connections; live flows reopen at the next tick under new ids, counted from now. */
  clear(): void {
    this.closed.clear();
    for (const connection of this.live.values()) {
      connection.base = countersOf(connection);
      connection.serial = this.nextId++;
      connection.dirty = false;
      connection.emittedEvent = null;
    }
  }

  /** Latest event of every held connection (live ones that were opened, and recently closed). */
  connections(): ConnectionEvent[] {
    const result: ConnectionEvent[] = [];
    for (const connection of [...this.live.values(), ...this.closed]) {
      const event = connection.emittedEvent;
      if (event) result.push(toEvent(connection, this.idOf(connection), event, connection.lastEmit, connection.emittedCounters()));
    }
    return result;
  }

  stats(): TrackerCounters {
    return { ...this.counters, live: this.live.size };
  }
}
