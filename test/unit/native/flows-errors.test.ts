import { describe, expect, it } from 'vitest';
import { NativeError, missingCapabilities, toNativeError } from '../../../native/errors.js';
import { linkModeForType } from '../../../native/flows-interfaces.js';
import { LINK_ETHERNET, LINK_NONE } from '../../../native/flows-layout.js';

describe('native errors and interface modes', () => {
  it('names the capabilities missing from CapEff', () => {
    expect(missingCapabilities('CapEff:\t000001ffffffffff\n')).toEqual([]);
    expect(missingCapabilities('CapEff:\t0000000000000000\n')).toEqual(['CAP_BPF', 'CAP_PERFMON', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN']);
    expect(missingCapabilities('CapEff:\t0000000000201000\n')).toEqual(['CAP_BPF', 'CAP_PERFMON']);
    expect(missingCapabilities('garbage')).toHaveLength(4);
  });

  it('explains ENODEV and ENOBTF, keeps code/errno/log', () => {
    const gone = new NativeError('tcx attach (ingress, ifindex 9): No such device', { code: 'ENODEV', errno: 19, log: 'x' });
    expect(gone.message).toMatch(/interface is gone/);
    expect(gone).toMatchObject({ code: 'ENODEV', errno: 19, log: 'x', name: 'NativeError' });
    expect(new NativeError('open', { code: 'ENOBTF' }).message).toMatch(/no BTF/);
    expect(toNativeError(new Error('plain')).code).toBe('EINVAL');
  });

  it('reads Ethernet and loopback with an L2 header, everything else as bare IP', () => {
    expect(linkModeForType(1)).toBe(LINK_ETHERNET);
    expect(linkModeForType(772)).toBe(LINK_ETHERNET);
    for (const type of [65534, 512, 768, 769, 776, 778]) expect(linkModeForType(type)).toBe(LINK_NONE);
  });
});
