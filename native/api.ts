// The native addon's TypeScript face, as src/helper uses it. `openProbe()` (native/index.ts) loads the
// embedded CO-RE objects, walks each capability's variant chain (probe by attaching), attaches TC to
// every interface (and to interfaces that appear later), and delivers decoded records in batches:
// one callback per ring-buffer wakeup, never one per record.
//
// Records use the shapes of src/shared/capture.ts so the helper only adds /proc identity.

import type {
  CaptureStats,
  DnsPayload,
  FlowEnd,
  FlowSample,
  OwnerRecord,
} from '../src/shared/capture.js';
import type { ProbeCapability, Probes } from '../src/shared/contract.js';
import type { DrainFailures } from './poller-failures.js';

export type { DrainFailures };

export type TcMode = 'auto' | 'tcx' | 'clsact';

export interface ProbeOptions {
  /** Flow-table (LRU hash) entries; default 65,536. */
  flowTableSize?: number;
  /** 'auto' tries tcx first, then clsact. */
  tcMode?: TcMode;
  /** Interface names to attach to; default: every interface of the host namespace, present and future. */
  interfaces?: string[];
  /**
   * Force one variant per capability (e.g. { connect: 'tp_btf:inet_sock_set_state' }); a forced variant
   * that cannot load or attach makes openProbe() reject with NativeError code 'EVARIANT' and leaves
   * nothing attached. Also read from SNITCHMAP_FORCE_VARIANTS="connect=...,accept=...".
   */
  force?: Partial<Record<ProbeCapability, string>>;
  /** Bound of each DNS payload copy (bytes, ≤ 512 by default). */
  dnsCaptureBytes?: number;
}

/** A socket owner as the kernel saw it; the helper adds exe and cmdline from /proc. */
export type KernelOwner = Omit<OwnerRecord, 'exe' | 'cmdline'>;

export interface ProcessEvent {
  kind: 'exec' | 'exit';
  ts: number;
  pid: number;
  ppid: number;
  uid: number;
  comm: string;
  /** Clock ticks since boot, comparable with /proc/PID/stat field 22. */
  startTime: number;
  /** cgroup v2 id (decimal; = inode of the cgroupfs directory) at the event, when the object sends it. */
  cgroupId?: string;
  /** Network namespace inode at the event; null when unreadable. */
  netns?: number | null;
}

export interface ProbeListeners {
  /**
   * Rows read the moment the TC program reported them: flows that just opened (first packet, or a
   * new socket on an old 5-tuple) and flows that just saw FIN/RST. Counters of other flows come from
   * readFlows().
   */
  flows?(rows: FlowSample[]): void;
  flowEnds?(ends: FlowEnd[]): void;
  owners?(owners: KernelOwner[]): void;
  dns?(messages: DnsPayload[]): void;
  processes?(events: ProcessEvent[]): void;
  /** Interface attached or detached after start (netlink link events). */
  interfaces?(change: { name: string; ifindex: number; event: 'attached' | 'detached' | 'failed'; error?: string }): void;
}

export interface Probe {
  /** Winning variant per capability (the hello's `probes`). */
  readonly probes: Probes;
  /** Why each losing candidate failed, for diagnostics: capability -> [variant, reason][]. */
  readonly probeLog: Record<string, Array<[string, string]>>;
  listen(listeners: ProbeListeners): void;
  /** Every row of the flow table (bpf_map_lookup_batch; get_next_key fallback). */
  readFlows(): FlowSample[];
  /** Packets counted by TC so far (cheap): the table needs reading only when this moved. */
  packets(): number;
  /**
   * Asks the kernel for one wakeup at the next packet (a row delivered to `flows`), so an idle
   * caller can stop checking packets(). Returns packets() read after arming: a packet counted
   * between the caller's last check and the arming sent no wakeup, and shows here.
   */
  wakeOnTraffic(): number;
  /** Owners of sockets that existed before start (iter/task_file, else /proc). */
  existingOwners(): KernelOwner[];
  stats(): CaptureStats;
  /**
   * Failed drains of the ring buffers and the netlink watcher so far (also counted in
   * stats().eventsLost where they lost records); the helper reports growth as a non-fatal error.
   */
  drainFailures(): DrainFailures;
  /** Detaches every program and frees everything. Idempotent. */
  close(): void;
}
