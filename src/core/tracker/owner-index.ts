// The userspace join of socket owners to flows (docs/kernel-notes.md §3.1). Owners arrive as
// records keyed by their socket cookie and their endpoints; a flow finds its owner by, in order: the
// cookie of the socket that sent on it (exact: two sockets that used one 5-tuple one after the other
// each find their own record; ICMP sockets have nothing else to join on), the exact tuple (connected
// sockets; orientation included, so the two ends of a loopback connection find their own owners),
// the local endpoint of an unconnected UDP socket, a wildcard bind (0.0.0.0 / ::) on that port, and
// for TCP a listening socket on the local port (the accepting process).
import type { SocketOwner } from './owner-compact.js';

const WILDCARDS = new Set(['0.0.0.0', '::']);

/**
 * Keys are built with join, not a template: V8 keeps a template's result as a tree of string pieces
 * (five 32-byte nodes here) after it is flattened for hashing; join makes one flat string. Measured:
 * 93 instead of 190 bytes per stored key, at 50,000 connections two keys each.
 */
export function tupleKey(proto: number, localIp: string, localPort: number, remoteIp: string, remotePort: number): string {
  return [proto, localIp, localPort, remoteIp, remotePort].join('|');
}

function localKey(proto: number, localIp: string, localPort: number): string {
  return [proto, localIp, localPort].join('|');
}

function wildcardKey(proto: number, localPort: number): string {
  return `${proto}|*|${localPort}`;
}

/** A bounded map that forgets its oldest insertions first. */
class BoundedMap<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  get size(): number {
    return this.map.size;
  }
}

/** What a flow is joined by. */
export interface JoinKey {
  proto: number;
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
  cookie?: string | null;
}

type ClaimTag = 't' | 'l' | 'u';

/** Which map a socket's record is filed in: by its tuple, its listening port, or its local endpoint. */
function tagOf(owner: SocketOwner): ClaimTag {
  if (owner.remoteIp !== null && owner.remotePort !== null) return 't';
  return owner.how === 'listen' ? 'l' : 'u';
}

function claimKey(owner: SocketOwner, tag: ClaimTag): string {
  if (tag === 't') return tupleKey(owner.proto, owner.localIp, owner.localPort, owner.remoteIp as string, owner.remotePort as number);
  if (tag === 'l') return localKey(owner.proto, '*', owner.localPort);
  return WILDCARDS.has(owner.localIp) ? wildcardKey(owner.proto, owner.localPort) : localKey(owner.proto, owner.localIp, owner.localPort);
}

export interface OwnerMatch {
  owner: SocketOwner;
  /** How the match was made, which also decides direction when the owner is a listener. */
  via: 'cookie' | 'tuple' | 'local' | 'wildcard' | 'listen';
}

export class OwnerIndex {
  private readonly byTuple: BoundedMap<SocketOwner>;
  private readonly byLocal: BoundedMap<SocketOwner>;
  private readonly byListen: BoundedMap<SocketOwner>;
  /**
   * The record whose claim a newer record of its socket replaces (bind, then connect), where that is
   * not the record byCookie holds: a start-up scan record after a hook's, or the claim an ICMP
   * socket's create record does not replace. Usually empty: a map of every socket's claimant was
   * ~45 bytes a socket at 50,000 for what byCookie already holds.
   */
  private readonly otherClaimants: BoundedMap<SocketOwner>;
  private readonly byCookie: BoundedMap<SocketOwner>;
  /**
   * The record before the latest on an endpoint key, kept only when neither carries a cookie: the
   * final row of a flow whose tuple another socket took over needs its own socket's record, which
   * without cookies only time tells apart from the newer one.
   */
  private readonly previous: BoundedMap<SocketOwner>;

  constructor(maxEntries = 65_536) {
    this.byCookie = new BoundedMap(maxEntries);
    this.previous = new BoundedMap(maxEntries);
    this.byTuple = new BoundedMap(maxEntries);
    this.byLocal = new BoundedMap(maxEntries);
    this.byListen = new BoundedMap(maxEntries);
    this.otherClaimants = new BoundedMap(maxEntries);
  }

  add(owner: SocketOwner): void {
    // The latest record of a socket wins (a socket handed to another process belongs to the one that
    // used it last), except that the start-up scan never overrides what a hook saw.
    const cookie = owner.cookie;
    const older = cookie === null ? undefined : this.claimant(cookie);
    if (cookie !== null && (owner.how !== 'existing' || !this.byCookie.get(cookie))) this.byCookie.set(cookie, owner);
    if (owner.how === 'create') {
      // An ICMP socket: no endpoints to index, and what its socket claimed before stands.
      if (cookie !== null && older !== undefined && older.claim !== null) this.setClaimant(cookie, older);
      return;
    }
    const tag = tagOf(owner);
    const key = claimKey(owner, tag);
    owner.claim = key;
    if (tag === 't') {
      this.keepPrevious('t', key, this.byTuple.get(key), owner);
      this.byTuple.set(key, owner);
    } else if (tag === 'l') {
      this.byListen.set(key, owner);
    } else {
      this.keepPrevious('u', key, this.byLocal.get(key), owner);
      this.byLocal.set(key, owner);
    }
    if (cookie === null) return;
    // A socket seen again under its cookie (bind, then connect) drops what its older record claimed.
    if (older !== undefined && older !== owner && older.claim !== null) {
      const oldTag = tagOf(older);
      if (oldTag !== tag || older.claim !== owner.claim) {
        if (oldTag === 't') this.byTuple.delete(older.claim);
        else if (oldTag === 'u') this.byLocal.delete(older.claim);
      }
    }
    this.setClaimant(cookie, owner);
  }

  private claimant(cookie: string): SocketOwner | undefined {
    return this.otherClaimants.get(cookie) ?? this.byCookie.get(cookie);
  }

  private setClaimant(cookie: string, owner: SocketOwner): void {
    if (this.byCookie.get(cookie) === owner) this.otherClaimants.delete(cookie);
    else this.otherClaimants.set(cookie, owner);
  }

  /** Per owner record: the tagged key is built only when a record is kept (cookieless ones only). */
  private keepPrevious(tag: 't' | 'u', key: string, older: SocketOwner | undefined, owner: SocketOwner): void {
    if (older && older !== owner && older.cookie === null && owner.cookie === null && older.ts < owner.ts) this.previous.set(`${tag}:${key}`, older);
  }

  /**
   * `notBefore`: when an earlier flow on this tuple began (ms since the epoch), if one did. A record
   * made before it belongs to that flow's socket or an older one: a socket's owner record comes
   * before its flow's first packet (connect, sendmsg) or after it (accept), never before an earlier
   * flow on its tuple. This is what tells two sockets apart when the records carry no cookie (5.10:
   * kprobes there cannot read one). `upTo`: for the final row of a flow another socket took over
   * (its firstSeen): records of the kinds made before their flow's first packet (connect, sendmsg)
   * made after it are the newer socket's.
   */
  find(flow: JoinKey, notBefore: number | null = null, upTo: number | null = null): OwnerMatch | null {
    const byCookie = flow.cookie ? this.byCookie.get(flow.cookie) : undefined;
    if (byCookie) return { owner: byCookie, via: 'cookie' };
    // An endpoint match whose record names another socket is a previous user of the same port (the
    // new socket's own record is still on its way): never borrow it. A listener's record is the
    // exception: accepted sockets are new sockets by nature.
    const sameSocket = (owner: SocketOwner | undefined): SocketOwner | undefined => {
      if (!owner) return undefined;
      if (flow.cookie && owner.cookie) return owner.cookie === flow.cookie ? owner : undefined;
      // Flow times are whole milliseconds, record times are not: 1 ms of slack.
      if (notBefore !== null && owner.ts <= notBefore + 1) return undefined;
      return upTo !== null && (owner.how === 'connect' || owner.how === 'udp-send') && owner.ts > upTo + 1 ? undefined : owner;
    };
    const either = (map: BoundedMap<SocketOwner>, tag: string, key: string): SocketOwner | undefined =>
      sameSocket(map.get(key)) ?? sameSocket(this.previous.get(`${tag}:${key}`));
    const tuple = either(this.byTuple, 't', tupleKey(flow.proto, flow.localIp, flow.localPort, flow.remoteIp, flow.remotePort));
    if (tuple) return { owner: tuple, via: 'tuple' };
    const local = either(this.byLocal, 'u', localKey(flow.proto, flow.localIp, flow.localPort));
    if (local) return { owner: local, via: 'local' };
    const wildcard = either(this.byLocal, 'u', wildcardKey(flow.proto, flow.localPort));
    if (wildcard) return { owner: wildcard, via: 'wildcard' };
    const listener = this.byListen.get(localKey(flow.proto, '*', flow.localPort));
    if (listener) return { owner: listener, via: 'listen' };
    return null;
  }

  get size(): number {
    return this.byTuple.size + this.byLocal.size + this.byListen.size;
  }
}
