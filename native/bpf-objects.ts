// What TypeScript assumes about the embedded BPF objects beyond the record layouts: the maps and
// globals it reaches by name, with the type and sizes its reads and writes are built for. Names are
// typed against the built objects (native/generated/objects.ts), so tsc rejects one that does not
// exist; program names live with the code that picks them (native/chains.ts, native/flows-attach.ts).
// test/unit/native/bpf-objects.test.ts opens every object embedded in the addon — bpf_object__open
// only parses the ELF, so no privilege is needed — and checks each name with these types and sizes.

import { SM_FLOW_KEY, SM_FLOW_VALUE, SM_OWNER_STAT_COUNT, SM_SK_OWNER, SM_STAT_COUNT } from './generated/abi.js';
import { BPF_OBJECTS, type BpfObjectName, type GlobalOf, type MapOf } from './generated/objects.js';

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
function counters<N extends string>(name: N, entries: number): MapSpec & { name: N; maxEntries: number } {
  return { name, type: BPF_MAP_TYPE.percpuArray, keySize: 4, valueSize: 8, maxEntries: entries };
}

/** A ring buffer's key and value sizes are 0: records carry their own length. */
function ringbuf<N extends string>(name: N): MapSpec & { name: N } {
  return { name, type: BPF_MAP_TYPE.ringbuf, keySize: 0, valueSize: 0 };
}

export const FLOWS_OBJECT = 'flows' satisfies BpfObjectName;

export const FLOWS_MAPS = {
  /** The flow table, read with lookupBatch/lookupKeys and decoded by native/flows-layout.ts. */
  flows: { name: 'flows', type: BPF_MAP_TYPE.lruHash, keySize: SM_FLOW_KEY.SIZE, valueSize: SM_FLOW_VALUE.SIZE },
  events: ringbuf('flow_events'),
  stats: counters('stats', SM_STAT_COUNT),
} as const satisfies Record<string, MapSpec & { name: MapOf<'flows'> }>;

const FLOWS_GLOBAL_SIZE = BPF_OBJECTS.flows.globals;

/** `const volatile` globals of bpf/flows.bpf.c written before load (setGlobal checks the size too). */
export const FLOWS_GLOBALS = {
  dnsCaptureBytes: { name: 'dns_capture_bytes', size: FLOWS_GLOBAL_SIZE.dns_capture_bytes },
  featureDns: { name: 'feature_dns', size: FLOWS_GLOBAL_SIZE.feature_dns },
  featureSocket: { name: 'feature_socket', size: FLOWS_GLOBAL_SIZE.feature_socket },
} as const satisfies Record<string, { name: GlobalOf<'flows'>; size: number }>;

/**
 * bpf/flows.bpf.c's only .bss variable, written at run time through the section's map ('.bss',
 * one value of the whole section): its size is the section's.
 */
export const FLOWS_WAKE_ON_TRAFFIC = { map: '.bss', size: FLOWS_GLOBAL_SIZE.wake_on_traffic } as const;

/** The objects of the owner chains (native/chains.ts) and procs: each declares the shared maps. */
type OwnerObject = Exclude<BpfObjectName, 'flows' | 'tc_empty'>;
/** Names of maps every owner object declares (an intersection of each object's map names). */
type SharedOwnerMap = { [O in OwnerObject]: (x: MapOf<O>) => void }[OwnerObject] extends (x: infer N) => void ? N : never;

/** Maps every owner object declares (bpf/owners.bpf.h) and the winners share by fd. */
export const OWNER_MAPS = {
  events: ringbuf('sm_owner_events'),
  skOwner: { name: 'sm_sk_owner', type: BPF_MAP_TYPE.skStorage, keySize: 4, valueSize: SM_SK_OWNER.SIZE },
  stats: counters('sm_owner_stats', SM_OWNER_STAT_COUNT),
} as const satisfies Record<string, MapSpec & { name: SharedOwnerMap }>;
