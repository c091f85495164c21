// The `snitchmap watch --json` contract, version 1 (docs/design.md "The watch --json contract").
// Scripts depend on these shapes: change them only with a version bump. Optional fields marked
// "additive" are extensions that old readers can ignore.

export const CONTRACT_VERSION = 1;

export type Scope = 'internet' | 'lan' | 'loopback' | 'link-local' | 'multicast' | 'unknown';
/** `icmp` / `icmpv6` (additive): ICMP echo, one connection per echo identifier and remote address. */
export type Proto = 'tcp' | 'udp' | 'icmp' | 'icmpv6';
export type Direction = 'outbound' | 'inbound';
export type Family = 4 | 6;
export type CaptureMode = 'ebpf' | 'proc';

/**
 * Capabilities whose winning program variant is reported (null: none could attach). `startup`
 * (owners of sockets opened before the capture started) and `icmp` (owners of ping and raw ICMP
 * sockets) are additive.
 */
export const PROBE_CAPABILITIES = ['tc', 'connect', 'accept', 'udp', 'close', 'exec', 'dns', 'startup', 'icmp'] as const;
export type ProbeCapability = (typeof PROBE_CAPABILITIES)[number];
export type Probes = Record<ProbeCapability, string | null>;

export interface GeoInfo {
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
  city: string | null;
  lat: number;
  lon: number;
}

export interface AsnInfo {
  number: number;
  org: string;
}

export interface Home {
  lat: number;
  lon: number;
  label: string;
}

/**
 * Where `home` came from: `set` (--home or the saved setting), `time-zone` (guessed offline from
 * the system time zone), `none` (no usable zone: the Greenwich placeholder, not a real place).
 */
export type HomeSource = 'set' | 'time-zone' | 'none';

export interface ProcessInfo {
  /** TGID, as `ps` shows it; never a thread id. */
  pid: number;
  /** Kernel comm (at most 15 bytes). */
  name: string;
  exe: string | null;
  cmdline: string | null;
  uid: number;
  user: string | null;
  /**
   * Additive: the launching chain, nearest first (at most 4), taken while the process lived and
   * checked against start times (a reused PID never appears). Absent when unknown.
   */
  parents?: ParentProcess[];
  /** Additive: cgroup v2 path (from the cgroup v2 root) at connect or exec time. Absent when unknown. */
  cgroup?: string;
  /** Additive: the application, as a person would name it (src/core/apps/). */
  app?: AppInfo;
  /** Additive: network namespace inode, only when it is not the host's. */
  netns?: number;
}

export interface ParentProcess {
  pid: number;
  /** Kernel comm. */
  name: string;
}

/**
 * What owns a process: `systemd` (a unit; `app-*` units give the application id), `flatpak` (the
 * app id), `snap` (the snap name), `container` (Docker/Podman/containerd/CRI-O: the first 12 hex
 * digits of the container id; LXC/nspawn: the container name), else `executable` (the exe's file name,
 * or the comm when the exe is unknown).
 */
export type AppKind = 'systemd' | 'flatpak' | 'snap' | 'container' | 'executable';

export interface AppInfo {
  kind: AppKind;
  id: string;
  /** Display name: the desktop entry's Name when one matched, else a readable name when known. */
  name?: string;
  /** systemd: the unit the process runs in. */
  unit?: string;
  /** container: the runtime (docker, podman, containerd, cri-o, lxc, nspawn). */
  runtime?: string;
  /** Desktop entry id (file name without .desktop) that gave `name`, when one matched. */
  desktop?: string;
}

export interface Endpoint {
  ip: string;
  port: number;
}

export interface RemoteEndpoint extends Endpoint {
  /** The name the application looked up (from DNS answers), or null. */
  host: string | null;
  scope: Scope;
  geo: GeoInfo | null;
  asn: AsnInfo | null;
}

export interface HelloMessage {
  type: 'hello';
  version: typeof CONTRACT_VERSION;
  capture: CaptureMode;
  probes: Probes;
  geoip: { database: string; built: string; attribution: string } | null;
  home: Home;
  /** Additive: where `home` came from (absent from older engines). */
  homeSource?: HomeSource;
  /** Additive: what this capture mode cannot see (proc mode's blind spots), for people and scripts. */
  limitations?: string[];
  /** Additive: credits every data source in use requires (GeoIP database, ASN table), for UIs to show. */
  attributions?: string[];
}

export interface ConnectionEvent {
  type: 'connection';
  event: 'open' | 'update' | 'close';
  id: string;
  /** Milliseconds since the epoch. */
  ts: number;
  proto: Proto;
  direction: Direction;
  family: Family;
  local: Endpoint;
  remote: RemoteEndpoint;
  process: ProcessInfo | null;
  /** Cumulative, per direction, at the IP layer (headers included). */
  txBytes: number;
  rxBytes: number;
  /** Wire segments (GSO segments), not super-packets. */
  txPackets: number;
  rxPackets: number;
  /**
   * Additive: the Prometheus `instance` (host) this entry belongs to. Only `serve --fleet` sets it;
   * its entries aggregate a host's connections per process, proto, country and scope.
   */
  instance?: string;
}

export interface StatsMessage {
  type: 'stats';
  ts: number;
  eventsLost: number;
  flowsEvicted: number;
  unattributed: number;
  connections: number;
  /** Additive: DNS payloads that could not be parsed (malformed, truncated past use, hostile). */
  dnsMalformed?: number;
  /**
   * Additive: DNS responses that answer no query this machine sent (reversed tuple, id, question;
   * mDNS/LLMNR by their own rules, src/core/dns/answer-gate.ts), so they named nothing: spoofed,
   * unsolicited or late answers. Cumulative.
   */
  dnsUnmatched?: number;
}

export type WatchMessage = HelloMessage | ConnectionEvent | StatsMessage;
