// What a capture source (the root helper over its protocol, or the unprivileged /proc poller) hands
// to the engine. The helper protocol (helper-protocol.ts) carries exactly these records, so the
// engine cannot tell the two sources apart except by `capture` in the hello.
//
// Addresses are strings already normalized: IPv4 dotted quad, IPv6 RFC 5952, IPv4-mapped IPv6
// reported as IPv4. Orientation is canonical: `local` is this machine's end.

import type { CaptureMode, Family, Probes } from './contract.js';

/** IP protocol numbers we name; others travel as numbers with ports 0. */
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
/** ICMP echo flows carry the echo identifier as the local port and 0 as the remote port. */
export const IPPROTO_ICMP = 1;
export const IPPROTO_ICMPV6 = 58;

export interface FlowKey {
  ifindex: number;
  family: Family;
  /** IP protocol number. */
  proto: number;
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
}

export interface FlowCounters {
  txBytes: number;
  rxBytes: number;
  txPackets: number;
  rxPackets: number;
}

/** One row of the kernel flow table (cumulative counters), or of a /proc socket listing (zeros). */
export interface FlowSample extends FlowKey, FlowCounters {
  /** Milliseconds since the epoch when the kernel first saw the flow. */
  firstSeen: number;
  /** Union of TCP flags seen (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10 ...). 0 for non-TCP. */
  tcpFlags: number;
  /** Which side sent the first packet seen: 'tx' means this machine (outbound) when known. */
  initiator: 'local' | 'remote' | 'unknown';
  /**
   * Cookie of the local socket that sent on this flow (decimal string; 64-bit), or null when unknown
   * (no packet sent yet, forwarded traffic, /proc mode). Owner records with the same cookie own it.
   */
  cookie?: string | null;
}

/** A flow's end (TCP FIN/RST seen, socket closed, or idle expiry in the kernel table). */
export interface FlowEnd extends FlowKey {
  ts: number;
  /** 'reuse': another socket took over the 5-tuple; `final` is the old flow's last row. */
  reason: 'fin' | 'rst' | 'close' | 'evicted' | 'reuse';
  /** The flow's final row, when the end carries it ('reuse'): its counters are exact. */
  final?: FlowSample;
}

export type OwnerHow =
  | 'connect'
  | 'accept'
  | 'udp-send'
  | 'udp-recv'
  | 'listen'
  | 'bind'
  | 'io'
  | 'existing'
  /** An ICMP (ping or raw) socket at socket(): no endpoints, joined to flows by cookie only. */
  | 'create';

/**
 * Who owns a socket. Keyed by the socket cookie when the kernel gave one, and by its endpoints:
 * a connected socket has both ends; an unconnected UDP socket only the local one (remote fields
 * null), and then owns every flow from that local endpoint.
 */
export interface OwnerRecord {
  ts: number;
  how: OwnerHow;
  /** Kernel socket cookie (decimal string; 64-bit), or null when unknown (proc mode). */
  cookie: string | null;
  family: Family;
  proto: number;
  localIp: string;
  localPort: number;
  remoteIp: string | null;
  remotePort: number | null;
  pid: number;
  comm: string;
  uid: number;
  /** Process start time (clock ticks since boot, /proc/PID/stat field 22) to detect PID reuse. */
  startTime: number | null;
  /** Filled by the helper from /proc while the process lives; null after it exited. */
  exe: string | null;
  cmdline: string | null;
  /** Additive (issue 14): parents nearest first (at most 4), checked by start time; absent when unknown. */
  parents?: Array<{ pid: number; name: string }>;
  /** Additive: cgroup v2 path, from /proc or the kernel's cgroup id at exec; absent when unknown. */
  cgroup?: string;
  /** Additive: network namespace inode when it is not the host's. */
  netns?: number;
  /** Additive: the container's name, read by the helper from the runtime's files (Docker, Podman). */
  container?: string;
}

/** A DNS message seen on the wire (UDP or TCP 53, 5353 mDNS, 5355 LLMNR), parsed as the user. */
export interface DnsPayload {
  ts: number;
  /** 'rx': arrived at this machine; 'tx': sent by it. */
  direction: 'rx' | 'tx';
  proto: number;
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
  /** The DNS message bytes (TCP: without the 2-byte length prefix when it was present), base64. */
  payload: string;
  /** True when the kernel copy was cut at its bound. */
  truncated: boolean;
}

export interface CaptureStats {
  ts: number;
  /** Ring-buffer reserve failures (kernel) plus events dropped between kernel and engine. */
  eventsLost: number;
  /** Flow-table entries evicted before they were read. */
  flowsEvicted: number;
  /** Flows the kernel table could not insert, packets it could not parse, and similar. */
  parseErrors: number;
  /** Per interface: name, ifindex and how the TC program is attached. */
  interfaces: Array<{ name: string; ifindex: number; mode: 'tcx' | 'clsact' | 'failed'; error?: string }>;
}

export interface CaptureHello {
  capture: CaptureMode;
  probes: Probes;
  /** What this source cannot see, in words for people. */
  limitations: string[];
  kernel: string | null;
}
