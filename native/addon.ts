// The raw addon (native/build/Release/snitchmap.node) with its types. Generic libbpf surface: the
// decisions (which variant, which interface, how to decode) live in the other native/*.ts files.
// API reference: native/README.md.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeError } from './errors.js';

export type Direction = 'ingress' | 'egress';

export interface ProgramInfo {
  name: string;
  section: string;
  autoload: boolean;
}

export interface MapInfo {
  name: string;
  /** enum bpf_map_type */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

export interface BatchRows {
  /** count × keySize bytes */
  keys: Buffer;
  /** count × valueSize bytes (per-CPU maps: count × cpus × round8(valueSize)) */
  values: Buffer;
  count: number;
  /** false when the kernel refused bpf_map_lookup_batch and get_next_key was used */
  batch: boolean;
  /** false when the read stopped early (ENOSPC: the table grew while it was read); the rest comes next read */
  complete: boolean;
  /** bpf_map_lookup_batch syscalls this read made (0 on the get_next_key path) */
  calls: number;
}

export interface NativeLink {
  /** Detaches (tcx/libbpf link: closes it; clsact: removes our filter). Idempotent. */
  detach(): void;
  describe(): { description: string; attached: boolean };
}

export interface TestRunResult {
  retval: number;
  /** Average ns per run as the kernel measured it. */
  durationNs: number;
}

export interface BpfObjectHandle {
  programs(): ProgramInfo[];
  maps(): MapInfo[];
  setAutoload(program: string, load: boolean): void;
  setMapMaxEntries(map: string, entries: number): void;
  reuseMapFd(map: string, fd: number): void;
  /** Writes a global variable (const volatile, .data, .bss) before load; size must match. */
  setGlobal(variable: string, value: Buffer): void;
  /** bpf_object__load; a NativeError carries libbpf's log. */
  load(): void;
  mapFd(map: string): number;
  programFd(program: string): number;
  /** The kernel's program id (as tc, bpftool and queryTcx show it). */
  programId(program: string): number;
  attachTcx(program: string, ifindex: number, direction: Direction): NativeLink;
  attachClsact(program: string, ifindex: number, direction: Direction, handle: number, priority: number): NativeLink;
  attachCgroup(program: string, cgroupPath: string): NativeLink;
  /** bpf_program__attach: tracepoint, tp_btf, raw_tp, kprobe, fentry, ... from the section name. */
  attachAuto(program: string): NativeLink;
  lookupBatch(map: string): BatchRows;
  /** The rows of these packed keys that exist, one lookup each (no per-CPU maps). */
  lookupKeys(map: string, keys: Buffer): Pick<BatchRows, 'keys' | 'values' | 'count'>;
  updateElem(map: string, key: Buffer, value: Buffer): void;
  /** Deletes packed keys; returns how many existed. */
  deleteKeys(map: string, keys: Buffer): number;
  /** maxEntries × cpus × round8(valueSize) bytes, entry-major; with `index`, that entry alone. */
  readPerCpuArray(map: string, index?: number): Buffer;
  /** Attaches a bpf_iter program, reads it to the end and detaches. */
  runIterator(program: string): Buffer;
  testRun(program: string, packet: Buffer, repeat?: number, context?: { ifindex?: number; gsoSegs?: number }): TestRunResult;
  close(): void;
}

/** Failed drains (ring_buffer__consume, recv) and poll errors of one poller: counted, never silent. */
export interface PollerFailures {
  count: number;
  /** errno of the last failure; 0 when none. */
  errno: number;
}

export interface Poller {
  /** What was drained before a failure is still delivered; the failure is counted here. */
  failures(): PollerFailures;
  close(): void;
}

export interface RingBufferHandle extends Poller {
  /** Drains now and delivers through the callback (the periodic poll for records that did not wake us). */
  consume(): void;
}

export interface SnitchmapAddon {
  embeddedObjects(): string[];
  openObject(name: string): BpfObjectHandle;
  /** One callback per wakeup: records packed as [u32 length][u32 0][bytes][pad to 8]. */
  openRingBuffer(mapFd: number, onBatch: (batch: Buffer) => void): RingBufferHandle;
  /** rtnetlink RTMGRP_LINK messages, raw, one callback per wakeup. */
  watchLinks(onBatch: (batch: Buffer) => void): Poller;
  detachClsact(ifindex: number, direction: Direction, handle: number, priority: number): boolean;
  queryClsact(ifindex: number, direction: Direction, handle: number, priority: number): { progId: number; name: string } | null;
  /** Programs tcx-attached to an interface (BPF_PROG_QUERY). */
  queryTcx(ifindex: number, direction: Direction): Array<{ progId: number; name: string }>;
  setErrorClass(errorClass: new (message: string, details: { code: string; errno: number; log: string }) => Error): void;
}

let loaded: SnitchmapAddon | null = null;

/**
 * Where the addon is, relative to this file only. Never from the environment: the root helper loads
 * it, and a variable naming another file would make root load any native module (issue 12).
 */
export function addonCandidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  return [
    join(here, 'build/Release/snitchmap.node'), // native/*.ts run directly (tests)
    join(here, '../../native/build/Release/snitchmap.node'), // dist/native/*.js
  ];
}

/** Loads the addon once; NativeError ENOADDON when it was not built. */
export function loadAddon(): SnitchmapAddon {
  if (loaded) return loaded;
  const path = addonCandidates().find((candidate) => existsSync(candidate));
  if (!path) {
    throw new NativeError("native addon not built (run 'bash scripts/build-native.sh')", { code: 'ENOADDON' });
  }
  const addon = createRequire(import.meta.url)(path) as SnitchmapAddon;
  addon.setErrorClass(NativeError);
  loaded = addon;
  return addon;
}

/** The addon's path as the tests' kernel gate needs it. */
export function addonPath(): string {
  return addonCandidates().find((candidate) => existsSync(candidate)) ?? join(dirname(fileURLToPath(import.meta.url)), 'build/Release/snitchmap.node');
}
