// Attaches the TC program to interfaces: tcx first (links die with the process, so a crash leaves
// nothing behind), clsact as the fallback at a fixed snitchmap handle/priority, so a later start can
// find and remove what a killed run left — and only that: a filter at our handle/priority is removed
// only when its program carries one of our names.

import type { BpfObjectHandle, Direction, NativeLink, SnitchmapAddon } from './addon.js';
import type { TcMode } from './api.js';
import { isNativeError, toNativeError } from './errors.js';
import type { InterfaceInfo } from './flows-interfaces.js';
import { LINK_NONE } from './flows-layout.js';
import type { ProgramOf } from './generated/objects.js';

export const CLSACT_HANDLE = 0x534d; // "SM"
export const CLSACT_PRIORITY = 0x534d;
/** Program per link mode and direction (bpf/flows.bpf.c): Ethernet-framed or bare-IP interfaces. */
export const TC_PROGRAMS: Record<'ethernet' | 'l3', Record<Direction, ProgramOf<'flows'>>> = {
  ethernet: { ingress: 'sm_tc_ingress', egress: 'sm_tc_egress' },
  l3: { ingress: 'sm_tc3_ingress', egress: 'sm_tc3_egress' },
};
const OUR_PROGRAM_NAMES = new Set<string>([...Object.values(TC_PROGRAMS.ethernet), ...Object.values(TC_PROGRAMS.l3)]);
const DIRECTIONS: Direction[] = ['ingress', 'egress'];

export interface AttachedInterface {
  name: string;
  ifindex: number;
  mode: 'tcx' | 'clsact' | 'failed';
  error?: string;
}

interface Entry extends AttachedInterface {
  links: NativeLink[];
}

/** Removes our clsact filters (by fixed handle/priority and program name) from one interface. */
export function removeStaleFilters(addon: SnitchmapAddon, ifindex: number): number {
  let removed = 0;
  for (const direction of DIRECTIONS) {
    try {
      const current = addon.queryClsact(ifindex, direction, CLSACT_HANDLE, CLSACT_PRIORITY);
      if (current && OUR_PROGRAM_NAMES.has(current.name) && addon.detachClsact(ifindex, direction, CLSACT_HANDLE, CLSACT_PRIORITY)) {
        removed++;
      }
    } catch (error) {
      if (!isNativeError(error, 'ENODEV') && !isNativeError(error, 'EINVAL')) throw error;
    }
  }
  return removed;
}

export class TcAttacher {
  private readonly entries = new Map<number, Entry>();
  /** Set once tcx was refused as unsupported: later interfaces go straight to clsact. */
  private tcxUnsupported = false;

  constructor(
    private readonly addon: SnitchmapAddon,
    private readonly object: BpfObjectHandle,
    private readonly mode: TcMode,
  ) {}

  /** The mode in use ('tcx' when every attached interface uses it), null when none is attached. */
  currentMode(): 'tcx' | 'clsact' | null {
    const modes = [...this.entries.values()].map((entry) => entry.mode).filter((mode) => mode !== 'failed');
    if (modes.length === 0) return null;
    return modes.every((mode) => mode === 'tcx') ? 'tcx' : 'clsact';
  }

  interfaces(): AttachedInterface[] {
    return [...this.entries.values()].map(({ name, ifindex, mode, error }) => ({ name, ifindex, mode, ...(error ? { error } : {}) }));
  }

  has(ifindex: number): boolean {
    return this.entries.has(ifindex);
  }

  /** Attaches ingress+egress; never throws: a failure is recorded as mode 'failed' with the reason. */
  attach(iface: InterfaceInfo): AttachedInterface {
    this.detach(iface.ifindex);
    removeStaleFilters(this.addon, iface.ifindex);
    const entry: Entry = { name: iface.name, ifindex: iface.ifindex, mode: 'failed', links: [] };
    const programs = TC_PROGRAMS[iface.link === LINK_NONE ? 'l3' : 'ethernet'];
    let tcxError: string | null = null;
    if (this.mode !== 'clsact' && !this.tcxUnsupported) {
      try {
        entry.links = this.attachBoth(programs, (program, direction) => this.object.attachTcx(program, iface.ifindex, direction));
        entry.mode = 'tcx';
      } catch (error) {
        const failure = toNativeError(error);
        tcxError = failure.message;
        if (failure.code === 'EINVAL' || failure.code === 'EOPNOTSUPP') this.tcxUnsupported = true;
        if (failure.code === 'ENODEV' || failure.code === 'ENXIO') return this.record({ ...entry, error: failure.message });
      }
    }
    if (entry.mode === 'failed' && this.mode !== 'tcx') {
      try {
        entry.links = this.attachBoth(programs, (program, direction) =>
          this.object.attachClsact(program, iface.ifindex, direction, CLSACT_HANDLE, CLSACT_PRIORITY),
        );
        entry.mode = 'clsact';
      } catch (error) {
        entry.error = toNativeError(error).message;
      }
    } else if (entry.mode === 'failed' && tcxError) {
      entry.error = tcxError;
    }
    return this.record(entry);
  }

  detach(ifindex: number): void {
    const entry = this.entries.get(ifindex);
    if (!entry) return;
    this.entries.delete(ifindex);
    for (const link of entry.links) link.detach();
  }

  close(): void {
    for (const ifindex of [...this.entries.keys()]) this.detach(ifindex);
  }

  private record(entry: Entry): AttachedInterface {
    this.entries.set(entry.ifindex, entry);
    return { name: entry.name, ifindex: entry.ifindex, mode: entry.mode, ...(entry.error ? { error: entry.error } : {}) };
  }

  /** Both directions or neither: a half-attached interface would count one direction only. */
  private attachBoth(programs: Record<Direction, string>, attachOne: (program: string, direction: Direction) => NativeLink): NativeLink[] {
    const links: NativeLink[] = [];
    try {
      for (const direction of DIRECTIONS) links.push(attachOne(programs[direction], direction));
    } catch (error) {
      for (const link of links) link.detach();
      throw error;
    }
    return links;
  }
}
