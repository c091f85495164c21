// The userspace join of socket owners to flows (docs/kernel-notes.md §3.1). Owners arrive as
// records keyed by their socket cookie and their endpoints; a flow finds its owner by, in order: the
// cookie of the socket that sent on it (exact: two sockets that used one 5-tuple one after the other
// each find their own record; ICMP sockets have nothing else to join on), the exact tuple (connected
// sockets; orientation included, so the two ends of a loopback connection find their own owners),
// the local endpoint of an unconnected UDP socket, a wildcard bind (0.0.0.0 / ::) on that port, and
// for TCP a listening socket on the local port (the accepting process).
import type { FlowKey, OwnerRecord } from '../../shared/capture.js';

const WILDCARDS = new Set(['0.0.0.0', '::']);

export function tupleKey(proto: number, localIp: string, localPort: number, remoteIp: string, remotePort: number): string {
  return `${proto}|${localIp}|${localPort}|${remoteIp}|${remotePort}`;
}

function localKey(proto: number, localIp: string, localPort: number): string {
  return `${proto}|${localIp}|${localPort}`;
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

export interface OwnerMatch {
  owner: OwnerRecord;
  /** How the match was made, which also decides direction when the owner is a listener. */
  via: 'cookie' | 'tuple' | 'local' | 'wildcard' | 'listen';
}

export class OwnerIndex {
  private readonly byTuple: BoundedMap<OwnerRecord>;
  private readonly byLocal: BoundedMap<OwnerRecord>;
  private readonly byListen: BoundedMap<OwnerRecord>;
  private readonly keysByCookie: BoundedMap<string[]>;
  private readonly byCookie: BoundedMap<OwnerRecord>;

  constructor(maxEntries = 65_536) {
    this.byCookie = new BoundedMap(maxEntries);
    this.byTuple = new BoundedMap(maxEntries);
    this.byLocal = new BoundedMap(maxEntries);
    this.byListen = new BoundedMap(maxEntries);
    this.keysByCookie = new BoundedMap(maxEntries);
  }

  add(owner: OwnerRecord): void {
    // The latest record of a socket wins (a socket handed to another process belongs to the one that
    // used it last), except that the start-up scan never overrides what a hook saw.
    if (owner.cookie !== null && (owner.how !== 'existing' || !this.byCookie.get(owner.cookie))) this.byCookie.set(owner.cookie, owner);
    if (owner.how === 'create') return; // an ICMP socket: no endpoints to index
    const keys: string[] = [];
    if (owner.remoteIp !== null && owner.remotePort !== null) {
      const key = tupleKey(owner.proto, owner.localIp, owner.localPort, owner.remoteIp, owner.remotePort);
      this.byTuple.set(key, owner);
      keys.push(`t:${key}`);
    } else if (owner.how === 'listen') {
      const key = localKey(owner.proto, '*', owner.localPort);
      this.byListen.set(key, owner);
      keys.push(`l:${key}`);
    } else {
      const key = WILDCARDS.has(owner.localIp)
        ? wildcardKey(owner.proto, owner.localPort)
        : localKey(owner.proto, owner.localIp, owner.localPort);
      this.byLocal.set(key, owner);
      keys.push(`u:${key}`);
    }
    if (owner.cookie !== null) this.rememberCookie(owner.cookie, keys);
  }

  /** A socket seen again under its cookie (bind, then connect) drops what its older records claimed. */
  private rememberCookie(cookie: string, keys: string[]): void {
    const previous = this.keysByCookie.get(cookie) ?? [];
    for (const old of previous) {
      if (keys.includes(old)) continue;
      const [kind, key = ''] = [old.slice(0, 1), old.slice(2)];
      if (kind === 't') this.byTuple.delete(key);
      else if (kind === 'u') this.byLocal.delete(key);
    }
    this.keysByCookie.set(cookie, keys);
  }

  /**
   * `notBefore`: when an earlier flow on this tuple began (ms since the epoch), if one did. A record
   * made before it belongs to that flow's socket or an older one: a socket's owner record comes
   * before its flow's first packet (connect, sendmsg) or after it (accept), never before an earlier
   * flow on its tuple. This is what tells two sockets apart when the records carry no cookie (5.10:
   * kprobes there cannot read one).
   */
  find(flow: FlowKey & { cookie?: string | null }, notBefore: number | null = null): OwnerMatch | null {
    const byCookie = flow.cookie ? this.byCookie.get(flow.cookie) : undefined;
    if (byCookie) return { owner: byCookie, via: 'cookie' };
    // An endpoint match whose record names another socket is a previous user of the same port (the
    // new socket's own record is still on its way): never borrow it. A listener's record is the
    // exception: accepted sockets are new sockets by nature.
    const sameSocket = (owner: OwnerRecord | undefined): OwnerRecord | undefined => {
      if (!owner) return undefined;
      if (flow.cookie && owner.cookie) return owner.cookie === flow.cookie ? owner : undefined;
      // Flow times are whole milliseconds, record times are not: 1 ms of slack.
      return notBefore !== null && owner.ts <= notBefore + 1 ? undefined : owner;
    };
    const tuple = sameSocket(this.byTuple.get(tupleKey(flow.proto, flow.localIp, flow.localPort, flow.remoteIp, flow.remotePort)));
    if (tuple) return { owner: tuple, via: 'tuple' };
    const local = sameSocket(this.byLocal.get(localKey(flow.proto, flow.localIp, flow.localPort)));
    if (local) return { owner: local, via: 'local' };
    const wildcard = sameSocket(this.byLocal.get(wildcardKey(flow.proto, flow.localPort)));
    if (wildcard) return { owner: wildcard, via: 'wildcard' };
    const listener = this.byListen.get(localKey(flow.proto, '*', flow.localPort));
    if (listener) return { owner: listener, via: 'listen' };
    return null;
  }

  get size(): number {
    return this.byTuple.size + this.byLocal.size + this.byListen.size;
  }
}
