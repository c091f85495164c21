// The attacher's decisions with a fake addon: tcx first, clsact on EINVAL, no fallback when the
// interface is gone, both directions or neither, and stale filters removed only when they are ours.
import { describe, expect, it } from 'vitest';
import type { BpfObjectHandle, Direction, NativeLink, SnitchmapAddon } from '../../../native/addon.js';
import { NativeError } from '../../../native/errors.js';
import { CLSACT_HANDLE, CLSACT_PRIORITY, TcAttacher, removeStaleFilters } from '../../../native/flows-attach.js';
import { LINK_ETHERNET, LINK_NONE } from '../../../native/flows-layout.js';

interface Call {
  kind: 'tcx' | 'clsact' | 'detach' | 'tc-detach';
  program?: string;
  ifindex: number;
  direction: Direction;
}

function fakes(options: { tcx?: (direction: Direction) => string | null; clsact?: (direction: Direction) => string | null; present?: string } = {}) {
  const calls: Call[] = [];
  const link = (call: Call): NativeLink => ({
    detach: () => calls.push({ ...call, kind: 'detach' }),
    describe: () => ({ description: call.kind, attached: true }),
  });
  const attach = (kind: 'tcx' | 'clsact', failure: string | null, program: string, ifindex: number, direction: Direction): NativeLink => {
    if (failure) throw new NativeError(`${kind} failed`, { code: failure });
    const call: Call = { kind, program, ifindex, direction };
    calls.push(call);
    return link(call);
  };
  const object = {
    attachTcx: (program: string, ifindex: number, direction: Direction) => attach('tcx', options.tcx?.(direction) ?? null, program, ifindex, direction),
    attachClsact: (program: string, ifindex: number, direction: Direction) => attach('clsact', options.clsact?.(direction) ?? null, program, ifindex, direction),
  } as unknown as BpfObjectHandle;
  const addon = {
    queryClsact: (_ifindex: number, _direction: Direction, handle: number, priority: number) =>
      options.present !== undefined && handle === CLSACT_HANDLE && priority === CLSACT_PRIORITY ? { progId: 7, name: options.present } : null,
    detachClsact: (ifindex: number, direction: Direction) => {
      calls.push({ kind: 'tc-detach', ifindex, direction });
      return true;
    },
  } as unknown as SnitchmapAddon;
  return { calls, object, addon };
}

describe('TcAttacher', () => {
  it('attaches the Ethernet pair with tcx, the L3 pair on bare-IP links', () => {
    const { calls, object, addon } = fakes();
    const attacher = new TcAttacher(addon, object, 'auto');
    expect(attacher.attach({ name: 'eth0', ifindex: 2, link: LINK_ETHERNET })).toEqual({ name: 'eth0', ifindex: 2, mode: 'tcx' });
    expect(attacher.attach({ name: 'tun0', ifindex: 3, link: LINK_NONE }).mode).toBe('tcx');
    expect(calls.map((call) => call.program)).toEqual(['sm_tc_ingress', 'sm_tc_egress', 'sm_tc3_ingress', 'sm_tc3_egress']);
    expect(attacher.currentMode()).toBe('tcx');
  });

  it('falls back to clsact when tcx is unsupported, and stops trying tcx afterwards', () => {
    const { calls, object, addon } = fakes({ tcx: () => 'EINVAL' });
    const attacher = new TcAttacher(addon, object, 'auto');
    expect(attacher.attach({ name: 'eth0', ifindex: 2, link: LINK_ETHERNET }).mode).toBe('clsact');
    expect(attacher.attach({ name: 'eth1', ifindex: 4, link: LINK_ETHERNET }).mode).toBe('clsact');
    expect(calls.every((call) => call.kind === 'clsact')).toBe(true);
    expect(attacher.currentMode()).toBe('clsact');
  });

  it('does not fall back when the interface is gone, and says so', () => {
    const { object, addon } = fakes({ tcx: () => 'ENODEV' });
    const result = new TcAttacher(addon, object, 'auto').attach({ name: 'veth9', ifindex: 9, link: LINK_ETHERNET });
    expect(result.mode).toBe('failed');
    expect(result.error).toMatch(/interface is gone/);
  });

  it('attaches both directions or neither', () => {
    const { calls, object, addon } = fakes({ tcx: (direction) => (direction === 'egress' ? 'EBUSY' : null), clsact: (direction) => (direction === 'egress' ? 'EEXIST' : null) });
    const result = new TcAttacher(addon, object, 'auto').attach({ name: 'eth0', ifindex: 2, link: LINK_ETHERNET });
    expect(result.mode).toBe('failed');
    const attached = calls.filter((call) => call.kind === 'tcx' || call.kind === 'clsact').length;
    expect(calls.filter((call) => call.kind === 'detach')).toHaveLength(attached);
  });

  it('a forced mode never tries the other one', () => {
    const { calls, object, addon } = fakes({ tcx: () => 'EINVAL' });
    expect(new TcAttacher(addon, object, 'tcx').attach({ name: 'eth0', ifindex: 2, link: LINK_ETHERNET }).mode).toBe('failed');
    expect(calls.some((call) => call.kind === 'clsact')).toBe(false);
  });

  it('detach and close release every link once', () => {
    const { calls, object, addon } = fakes();
    const attacher = new TcAttacher(addon, object, 'auto');
    attacher.attach({ name: 'eth0', ifindex: 2, link: LINK_ETHERNET });
    attacher.attach({ name: 'eth1', ifindex: 3, link: LINK_ETHERNET });
    attacher.detach(2);
    attacher.close();
    attacher.close();
    expect(calls.filter((call) => call.kind === 'detach').map((call) => call.ifindex).sort()).toEqual([2, 2, 3, 3]);
    expect(attacher.interfaces()).toEqual([]);
  });
});

describe('removeStaleFilters', () => {
  it('removes a filter at our handle/priority only when its program has one of our names', () => {
    const ours = fakes({ present: 'sm_tc_egress' });
    expect(removeStaleFilters(ours.addon, 5)).toBe(2);
    const foreign = fakes({ present: 'cilium_from_netdev' });
    expect(removeStaleFilters(foreign.addon, 5)).toBe(0);
    expect(foreign.calls).toEqual([]);
    const classic = fakes({ present: '' });
    expect(removeStaleFilters(classic.addon, 5)).toBe(0);
  });
});
