import { describe, expect, it } from 'vitest';
import { FlowExpiry } from '../../../native/flows-expiry.js';
import type { FlowSample } from '../../../src/shared/capture.js';

function sample(overrides: Partial<FlowSample>): FlowSample {
  return {
    ifindex: 2, family: 4, proto: 6, localIp: '10.0.0.1', localPort: 1, remoteIp: '10.0.0.2', remotePort: 2,
    txBytes: 0, rxBytes: 0, txPackets: 1, rxPackets: 0, firstSeen: 0, tcpFlags: 0x02, initiator: 'local', ...overrides,
  };
}

describe('flows-expiry', () => {
  it('deletes ended TCP flows only after they stayed unchanged for the ended TTL', () => {
    const expiry = new FlowExpiry(1000, 60_000);
    const ended = sample({ tcpFlags: 0x11 });
    expect(expiry.review([ended], 0).deleteIndexes).toEqual([]);
    expect(expiry.review([ended], 999).deleteIndexes).toEqual([]);
    expect(expiry.review([ended], 1000)).toEqual({ deleteIndexes: [0], idleEnds: [] });
  });

  it('a change restarts the clock', () => {
    const expiry = new FlowExpiry(1000, 60_000);
    expiry.review([sample({ tcpFlags: 0x11 })], 0);
    expect(expiry.review([sample({ tcpFlags: 0x11, txPackets: 2 })], 1500).deleteIndexes).toEqual([]);
    expect(expiry.review([sample({ tcpFlags: 0x11, txPackets: 2 })], 2500).deleteIndexes).toEqual([0]);
  });

  it('idle flows are deleted after the idle TTL and reported as evicted ends', () => {
    const expiry = new FlowExpiry(1000, 5000);
    const udp = sample({ proto: 17, tcpFlags: 0 });
    expiry.review([udp], 0);
    expect(expiry.review([udp], 4999).deleteIndexes).toEqual([]);
    const { deleteIndexes, idleEnds } = expiry.review([udp], 5000);
    expect(deleteIndexes).toEqual([0]);
    expect(idleEnds).toEqual([expect.objectContaining({ proto: 17, localPort: 1, reason: 'evicted', ts: 5000 })]);
  });
});
