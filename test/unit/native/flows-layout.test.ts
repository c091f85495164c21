// Decoders of native/flows-layout.ts. Records are built from native/generated/abi.ts (generated from
// bpf/snitchmap.h's BTF), never from offsets written here: a layout change reaches both sides at once,
// and test/unit/native/abi-generated.test.ts keeps the generated file true to the header.
import { describe, expect, it } from 'vitest';
import { FLOW_KEY_SIZE, FLOW_VALUE_SIZE, STAT_COUNT, decodeFlowEvents, decodeFlowRows, sumPerCpuStats } from '../../../native/flows-layout.js';
import {
  SM_DIR_RX,
  SM_DNS_EVENT,
  SM_END_RST,
  SM_EVENT_DNS,
  SM_EVENT_FLOW_DATA,
  SM_EVENT_FLOW_END,
  SM_EVENT_FLOW_OPEN,
  SM_EVENT_FLOW_REUSE,
  SM_EVENT_HEADER,
  SM_FLOW_EVENT,
  SM_FLOW_KEY,
  SM_FLOW_PAYLOAD,
  SM_FLOW_REUSE_EVENT,
  SM_FLOW_VALUE,
  SM_INITIATOR_LOCAL,
  SM_INITIATOR_REMOTE,
} from '../../../native/generated/abi.js';

const toEpoch = (ns: bigint): number => Number(ns / 1_000_000n);

function key(options: { ifindex?: number; family?: number; proto?: number; local?: number[]; remote?: number[]; lport?: number; rport?: number } = {}): Buffer {
  const out = Buffer.alloc(FLOW_KEY_SIZE);
  out.writeUInt32LE(options.ifindex ?? 3, SM_FLOW_KEY.ifindex);
  out.writeUInt8(options.family ?? 4, SM_FLOW_KEY.family);
  out.writeUInt8(options.proto ?? 6, SM_FLOW_KEY.proto);
  out.writeUInt16LE(options.lport ?? 40000, SM_FLOW_KEY.local_port);
  out.writeUInt16LE(options.rport ?? 443, SM_FLOW_KEY.remote_port);
  Buffer.from(options.local ?? [10, 0, 0, 1]).copy(out, SM_FLOW_KEY.local_addr);
  Buffer.from(options.remote ?? [192, 0, 2, 9]).copy(out, SM_FLOW_KEY.remote_addr);
  return out;
}

function value(fields: { counters: bigint[]; firstSeenNs: bigint; tcpFlags?: number; initiator: number; cookie: bigint }): Buffer {
  const out = Buffer.alloc(FLOW_VALUE_SIZE);
  const [tx = 0n, rx = 0n, txPackets = 0n, rxPackets = 0n] = fields.counters;
  out.writeBigUInt64LE(tx, SM_FLOW_VALUE.tx_bytes);
  out.writeBigUInt64LE(rx, SM_FLOW_VALUE.rx_bytes);
  out.writeBigUInt64LE(txPackets, SM_FLOW_VALUE.tx_packets);
  out.writeBigUInt64LE(rxPackets, SM_FLOW_VALUE.rx_packets);
  out.writeBigUInt64LE(fields.firstSeenNs, SM_FLOW_VALUE.first_seen_ns);
  out.writeUInt32LE(fields.tcpFlags ?? 0, SM_FLOW_VALUE.tcp_flags);
  out.writeUInt32LE(fields.initiator, SM_FLOW_VALUE.initiator);
  out.writeBigUInt64LE(fields.cookie, SM_FLOW_VALUE.cookie);
  return out;
}

function record(body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body, Buffer.alloc(((body.length + 7) & ~7) - body.length)]);
}

/** A record of `size` bytes with its event header, and the flow key at `keyAt` when given. */
function event(size: number, kind: number, tsNs: bigint, flowKey?: Buffer, keyAt: number = SM_FLOW_EVENT.key): Buffer {
  const out = Buffer.alloc(size);
  out.writeUInt32LE(kind, SM_EVENT_HEADER.kind);
  out.writeBigUInt64LE(tsNs, SM_EVENT_HEADER.ts_ns);
  flowKey?.copy(out, keyAt);
  return out;
}

describe('flows-layout', () => {
  it('decodes flow rows (key + value) as FlowSamples', () => {
    const row0 = value({ counters: [1500n, 80n, 3n, 2n], firstSeenNs: 5_000_000_000n, tcpFlags: 0x1b, initiator: SM_INITIATOR_REMOTE, cookie: 0xfedcba9876543210n });
    const [row] = decodeFlowRows(key(), row0, 1, toEpoch);
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

  it("keeps the kernel's payload mark out of tcpFlags, and reads a first-payload record's row at once", () => {
    const [row] = decodeFlowRows(key(), value({ counters: [3300n, 112n, 6n, 2n], firstSeenNs: 1n, tcpFlags: 0x18 | SM_FLOW_PAYLOAD, initiator: SM_INITIATOR_LOCAL, cookie: 1n }), 1, toEpoch);
    expect(row!.tcpFlags).toBe(0x18);
    const decoded = decodeFlowEvents(record(event(SM_FLOW_EVENT.SIZE, SM_EVENT_FLOW_DATA, 4_000_000n, key({ lport: 40001 }))), toEpoch);
    expect(decoded).toMatchObject({ keysToRead: [key({ lport: 40001 })], opens: [], ends: [], unknown: 0 });
  });

  it('decodes a take-over record as a reuse end carrying the old row, and lists keys to read', () => {
    const reuse = event(SM_FLOW_REUSE_EVENT.SIZE, SM_EVENT_FLOW_REUSE, 9_000_000n, key({ proto: 17 }), SM_FLOW_REUSE_EVENT.key);
    value({ counters: [300n, 0n, 3n, 0n], firstSeenNs: 7_000_000_000n, initiator: SM_INITIATOR_LOCAL, cookie: 41n }).copy(reuse, SM_FLOW_REUSE_EVENT.old);
    const open = event(SM_FLOW_EVENT.SIZE, SM_EVENT_FLOW_OPEN, 9_000_000n, key({ proto: 17 }));
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
    const end = event(SM_FLOW_EVENT.SIZE, SM_EVENT_FLOW_END, 2_000_000n, key());
    end.writeUInt32LE(SM_END_RST, SM_FLOW_EVENT.reason);
    const dns = event(SM_DNS_EVENT.SIZE, SM_EVENT_DNS, 3_000_000n, v6, SM_DNS_EVENT.key);
    dns.writeUInt16LE(SM_DIR_RX, SM_DNS_EVENT.direction);
    dns.writeUInt16LE(3, SM_DNS_EVENT.length);
    dns.writeUInt16LE(1, SM_DNS_EVENT.truncated);
    Buffer.from([0xaa, 0xbb, 0xcc]).copy(dns, SM_DNS_EVENT.payload);
    const batch = Buffer.concat([
      record(event(SM_FLOW_EVENT.SIZE, SM_EVENT_FLOW_OPEN, 1_000_000n, key())),
      record(end),
      record(dns),
      record(event(SM_FLOW_EVENT.SIZE, 99, 0n, key())),
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
    const good = record(event(SM_FLOW_EVENT.SIZE, SM_EVENT_FLOW_OPEN, 0n, key()));
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
