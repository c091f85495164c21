import { describe, expect, it } from 'vitest';
import { decodeLinkEvents } from '../../../native/flows-netlink.js';

function linkMessage(type: number, ifindex: number, name: string | null): Buffer {
  const attrs: Buffer[] = [];
  const mtu = Buffer.alloc(8);
  mtu.writeUInt16LE(8, 0);
  mtu.writeUInt16LE(4, 2); // IFLA_MTU
  attrs.push(mtu);
  if (name !== null) {
    const raw = Buffer.from(`${name}\0`);
    const attr = Buffer.alloc((4 + raw.length + 3) & ~3);
    attr.writeUInt16LE(4 + raw.length, 0);
    attr.writeUInt16LE(3, 2); // IFLA_IFNAME
    raw.copy(attr, 4);
    attrs.push(attr);
  }
  const body = Buffer.concat([Buffer.alloc(16), ...attrs]);
  body.writeInt32LE(ifindex, 4);
  const header = Buffer.alloc(16);
  header.writeUInt32LE(16 + body.length, 0);
  header.writeUInt16LE(type, 4);
  return Buffer.concat([header, body]);
}

describe('flows-netlink', () => {
  it('decodes RTM_NEWLINK / RTM_DELLINK with names, skips other types, marks overruns', () => {
    const overrun = Buffer.alloc(16);
    overrun.writeUInt32LE(16, 0);
    overrun.writeUInt16LE(4, 4);
    const batch = Buffer.concat([linkMessage(16, 7, 'veth0'), linkMessage(20, 1, 'x'), overrun, linkMessage(17, 7, null)]);
    expect(decodeLinkEvents(batch)).toEqual([
      { kind: 'new', ifindex: 7, name: 'veth0' },
      { kind: 'overrun' },
      { kind: 'del', ifindex: 7, name: null },
    ]);
  });

  it('stops at a message whose length lies, without throwing', () => {
    const good = linkMessage(16, 3, 'eth0');
    const bad = linkMessage(16, 4, 'eth1');
    bad.writeUInt32LE(10_000, 0);
    expect(decodeLinkEvents(Buffer.concat([good, bad]))).toEqual([{ kind: 'new', ifindex: 3, name: 'eth0' }]);
    expect(decodeLinkEvents(Buffer.alloc(7))).toEqual([]);
  });
});
