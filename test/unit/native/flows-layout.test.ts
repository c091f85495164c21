import { describe, expect, it } from 'vitest';
import { FLOW_KEY_SIZE, FLOW_VALUE_SIZE, STAT_COUNT, decodeFlowEvents, decodeFlowRows, sumPerCpuStats } from '../../../native/flows-layout.js';

const toEpoch = (ns: bigint): number => Number(ns / 1_000_000n);

function key(options: { ifindex?: number; family?: number; proto?: number; local?: number[]; remote?: number[]; lport?: number; rport?: number } = {}): Buffer {
  const out = Buffer.alloc(FLOW_KEY_SIZE);
  out.writeUInt32LE(options.ifindex ?? 3, 0);
  out.writeUInt8(options.family ?? 4, 4);
  out.writeUInt8(options.proto ?? 6, 5);
  out.writeUInt16LE(options.lport ?? 40000, 6);
  out.writeUInt16LE(options.rport ?? 443, 8);
  Buffer.from(options.local ?? [10, 0, 0, 1]).copy(out, 12);
  Buffer.from(options.remote ?? [192, 0, 2, 9]).copy(out, 28);
  return out;
}

function record(body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body, Buffer.alloc(((body.length + 7) & ~7) - body.length)]);
}

function eventHeader(kind: number, tsNs: bigint): Buffer {
  const out = Buffer.alloc(16);
  out.writeUInt32LE(kind, 0);
  out.writeBigUInt64LE(tsNs, 8);
  return out;
}

describe('flows-layout', () => {
  it('decodes flow rows (key + value) as FlowSamples', () => {
    const value = Buffer.alloc(FLOW_VALUE_SIZE);
    [1500n, 80n, 3n, 2n, 5_000_000_000n].forEach((n, i) => value.writeBigUInt64LE(n, i * 8));
    value.writeUInt32LE(0x1b, 40);
    value.writeUInt32LE(2, 44);
    value.writeBigUInt64LE(0xfedcba9876543210n, 48);
    const [row] = decodeFlowRows(key(), value, 1, toEpoch);
    expect(row).toEqual({
      ifindex: 3,
      family: 4,
      proto: 6,
      localIp: '10.0.0.1',
      localPort: 40000,
      remoteIp: '192.0.2.9',
      remotePort: 443,
      txBytes: 1500,
      rxBytes: 80,
      txPackets: 3,
      rxPackets: 2,
      firstSeen: 5000,
      tcpFlags: 0x1b,
      initiator: 'remote',
      cookie: '18364758544493064720',
    });
  });

  it('decodes a take-over record as a reuse end carrying the old row, and lists keys to read', () => {
    const old = Buffer.alloc(FLOW_VALUE_SIZE);
    [300n, 0n, 3n, 0n, 7_000_000_000n].forEach((n, i) => old.writeBigUInt64LE(n, i * 8));
    old.writeUInt32LE(1, 44);
    old.writeBigUInt64LE(41n, 48);
    const reuse = Buffer.concat([eventHeader(4, 9_000_000n), key({ proto: 17 }), Buffer.alloc(4), old]);
    const open = Buffer.concat([eventHeader(1, 9_000_000n), key({ proto: 17 }), Buffer.alloc(4)]);
    const decoded = decodeFlowEvents(Buffer.concat([record(reuse), record(open)]), toEpoch);
    expect(decoded.ends).toEqual([
      expect.objectContaining({
        reason: 'reuse',
        ts: 9,
        localPort: 40000,
        final: expect.objectContaining({ proto: 17, txBytes: 300, txPackets: 3, firstSeen: 7000, initiator: 'local', cookie: '41' }),
      }),
    ]);
    // The open's key is read at once; the reuse needs no read (its row is in the record).
    expect(decoded.keysToRead).toEqual([key({ proto: 17 })]);
    expect(decoded.unknown).toBe(0);
  });

  it('decodes a batch of flow-open, flow-end and DNS records and counts unknown ones', () => {
    const v6 = key({ family: 6, proto: 17, local: [0x20, 1, 0x0d, 0xb8, ...Array<number>(11).fill(0), 1], remote: [0xfe, 0x80, ...Array<number>(13).fill(0), 2], rport: 53 });
    const end = Buffer.concat([eventHeader(2, 2_000_000n), key(), Buffer.from([2, 0, 0, 0])]);
    const dnsMeta = Buffer.alloc(8);
    dnsMeta.writeUInt16LE(2, 0); // rx
    dnsMeta.writeUInt16LE(3, 2); // 3 bytes
    dnsMeta.writeUInt16LE(1, 4); // truncated
    const dns = Buffer.concat([eventHeader(3, 3_000_000n), v6, dnsMeta, Buffer.from([0xaa, 0xbb, 0xcc]), Buffer.alloc(509)]);
    const batch = Buffer.concat([
      record(Buffer.concat([eventHeader(1, 1_000_000n), key(), Buffer.alloc(4)])),
      record(end),
      record(dns),
      record(Buffer.concat([eventHeader(99, 0n), key()])),
      record(Buffer.alloc(10)),
    ]);
    const decoded = decodeFlowEvents(batch, toEpoch);
    expect(decoded.opens).toEqual([expect.objectContaining({ localIp: '10.0.0.1', remotePort: 443 })]);
    expect(decoded.ends).toEqual([expect.objectContaining({ reason: 'rst', ts: 2 })]);
    expect(decoded.dns).toEqual([
      { ts: 3, direction: 'rx', proto: 17, localIp: '2001:db8::1', localPort: 40000, remoteIp: 'fe80::2', remotePort: 53, payload: Buffer.from([0xaa, 0xbb, 0xcc]).toString('base64'), truncated: true },
    ]);
    expect(decoded.unknown).toBe(2);
  });

  it('never reads past a truncated batch', () => {
    const good = record(Buffer.concat([eventHeader(1, 0n), key(), Buffer.alloc(4)]));
    const lying = Buffer.alloc(8);
    lying.writeUInt32LE(4096, 0);
    const decoded = decodeFlowEvents(Buffer.concat([good, lying, Buffer.alloc(20)]), toEpoch);
    expect(decoded.opens).toHaveLength(1);
    expect(decoded.unknown).toBe(1);
  });

  it('sums per-CPU counters entry by entry', () => {
    const cpus = 3;
    const buffer = Buffer.alloc(STAT_COUNT * cpus * 8);
    for (let entry = 0; entry < STAT_COUNT; entry++) for (let cpu = 0; cpu < cpus; cpu++) buffer.writeBigUInt64LE(BigInt(entry * 10 + cpu), (entry * cpus + cpu) * 8);
    expect(sumPerCpuStats(buffer)).toEqual(Array.from({ length: STAT_COUNT }, (_, entry) => entry * 30 + 3));
  });
});
