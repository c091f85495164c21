// Loads bpf/flows.bpf.c with as many of its optional features as this kernel's verifier accepts.
// Each optional feature is gated in the program by a `const volatile` flag: with the flag off the
// verifier sees a constant branch and never walks the feature's code, so a feature one kernel refuses
// (6.1 refused the DNS copy, and with it every capability) costs only itself. Counting flows and
// bytes is not optional: if the core alone does not load, nothing does.

import type { BpfObjectHandle, SnitchmapAddon } from './addon.js';
import { FLOWS_GLOBALS, FLOWS_MAPS, FLOWS_OBJECT } from './bpf-objects.js';
import { toNativeError, verifierReason } from './errors.js';
import { DNS_MAX } from './flows-layout.js';

/** Optional TC features, each with the rodata flag that enables it. */
export const TC_FEATURES = { dns: FLOWS_GLOBALS.featureDns.name, socket: FLOWS_GLOBALS.featureSocket.name } as const;
export type TcFeature = keyof typeof TC_FEATURES;

export interface FlowsLoadOptions {
  flowTableSize: number;
  dnsCaptureBytes: number;
}

export interface LoadedFlows {
  object: BpfObjectHandle;
  /** Features in the loaded program. */
  features: Set<TcFeature>;
  /** Features the kernel refused, with the verifier's reason. */
  refused: Map<TcFeature, string>;
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
}

function tryLoad(addon: SnitchmapAddon, options: FlowsLoadOptions, features: Set<TcFeature>): BpfObjectHandle {
  const object = addon.openObject(FLOWS_OBJECT);
  try {
    object.setMapMaxEntries(FLOWS_MAPS.flows.name, options.flowTableSize);
    object.setGlobal(FLOWS_GLOBALS.dnsCaptureBytes.name, u32(Math.max(1, Math.min(DNS_MAX, options.dnsCaptureBytes))));
    for (const [feature, flag] of Object.entries(TC_FEATURES) as Array<[TcFeature, string]>) {
      object.setGlobal(flag, Buffer.from([features.has(feature) ? 1 : 0]));
    }
    object.load();
    return object;
  } catch (error) {
    object.close();
    throw toNativeError(error);
  }
}

/**
 * Everything first (one load on a kernel that takes it all); then the core alone, and each feature
 * added back on its own to learn which one the kernel refuses: at most 2 + features loads.
 */
export function loadFlowsObject(addon: SnitchmapAddon, options: FlowsLoadOptions): LoadedFlows {
  const all = Object.keys(TC_FEATURES) as TcFeature[];
  try {
    return { object: tryLoad(addon, options, new Set(all)), features: new Set(all), refused: new Map() };
  } catch (error) {
    const failure = toNativeError(error);
    if (failure.code === 'EPERM' || failure.code === 'ENOADDON') throw failure;
  }
  let object = tryLoad(addon, options, new Set()); // throws: the core itself is refused
  const features = new Set<TcFeature>();
  const refused = new Map<TcFeature, string>();
  for (const feature of all) {
    try {
      const wider = tryLoad(addon, options, new Set([...features, feature]));
      object.close();
      object = wider;
      features.add(feature);
    } catch (error) {
      refused.set(feature, verifierReason(toNativeError(error)));
    }
  }
  return { object, features, refused };
}
