// What TypeScript assumes about the embedded BPF objects beyond the record layouts: the names of the
// maps and globals it reaches by name, with the type and sizes its reads and writes are built for.
// Program names live with the code that picks them (native/chains.ts, native/flows-attach.ts).
// test/unit/native/bpf-objects.test.ts opens every embedded object — bpf_object__open only parses
// the ELF, so no privilege is needed — and checks each name here and there exists with these sizes.

import { SM_FLOW_KEY, SM_FLOW_VALUE, SM_OWNER_STAT_COUNT, SM_SK_OWNER, SM_STAT_COUNT } from './generated/abi.js';

/** enum bpf_map_type (include/uapi/linux/bpf.h) of the map types read here. */
export const BPF_MAP_TYPE = { percpuArray: 6, lruHash: 9, skStorage: 24, ringbuf: 27 } as const;

export interface MapSpec {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  /** Only where the reader depends on it (a per-CPU array read entry by entry). */
  maxEntries?: number;
}

/** Per-CPU arrays of __u64 counters, indexed by an enum of bpf/snitchmap.h. */
function counters(name: string, entries: number): MapSpec & { maxEntries: number } {
  return { name, type: BPF_MAP_TYPE.percpuArray, keySize: 4, valueSize: 8, maxEntries: entries };
}

/** A ring buffer's key and value sizes are 0: records carry their own length. */
function ringbuf(name: string): MapSpec {
  return { name, type: BPF_MAP_TYPE.ringbuf, keySize: 0, valueSize: 0 };
}

export const FLOWS_OBJECT = 'flows';

export const FLOWS_MAPS = {
  /** The flow table, read with lookupBatch/lookupKeys and decoded by native/flows-layout.ts. */
  flows: { name: 'flows', type: BPF_MAP_TYPE.lruHash, keySize: SM_FLOW_KEY.SIZE, valueSize: SM_FLOW_VALUE.SIZE },
  events: ringbuf('flow_events'),
  stats: counters('stats', SM_STAT_COUNT),
} as const satisfies Record<string, MapSpec>;

/** `const volatile` globals of bpf/flows.bpf.c written before load (setGlobal checks the size too). */
export const FLOWS_GLOBALS = {
  dnsCaptureBytes: { name: 'dns_capture_bytes', size: 4 },
  featureDns: { name: 'feature_dns', size: 1 },
  featureSocket: { name: 'feature_socket', size: 1 },
} as const satisfies Record<string, { name: string; size: number }>;

/** Maps every owner object declares (bpf/owners.bpf.h) and the winners share by fd. */
export const OWNER_MAPS = {
  events: ringbuf('sm_owner_events'),
  skOwner: { name: 'sm_sk_owner', type: BPF_MAP_TYPE.skStorage, keySize: 4, valueSize: SM_SK_OWNER.SIZE },
  stats: counters('sm_owner_stats', SM_OWNER_STAT_COUNT),
} as const satisfies Record<string, MapSpec>;
