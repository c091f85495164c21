// The TC parser in isolation: BPF_PROG_TEST_RUN feeds synthetic frames to the loaded (not attached)
// program, then the flow table and ring buffer are read back. Nothing is attached to any interface.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addonPath, loadAddon, type BpfObjectHandle, type RingBufferHandle } from '../../native/addon.js';
import { FLOWS_MAPS, FLOWS_OBJECT } from '../../native/bpf-objects.js';
import { decodeFlowEvents, decodeFlowRows, monotonicToEpochNow, type FlowEventBatch } from '../../native/flows-layout.js';
import type { FlowSample } from '../../src/shared/capture.js';
import { kernelGate } from '../support/kernel-gate.js';
import { destOptions, ethernet, ipv4, ipv6, udp } from './fixtures/flows-frames.js';

const gate = kernelGate([addonPath()]);
const MAC = '02:00:00:00:00:02';
const A4 = '192.0.2.1';
const B4 = '198.51.100.7';
const A6 = '2001:db8::1';
const B6 = '2001:db8:0:0:1::9';

function tcp(sport: number, dport: number, flags: number, payload: Buffer, optionWords = 0): Buffer {
  const header = Buffer.alloc(20 + optionWords * 4);
  header.writeUInt16BE(sport, 0);
  header.writeUInt16BE(dport, 2);
  header[12] = (5 + optionWords) << 4;
  header[13] = flags;
  return Buffer.concat([header, payload]);
}

describe.skipIf(gate.skip)('flows parser (BPF_PROG_TEST_RUN)', () => {
  let object: BpfObjectHandle;
  let ring: RingBufferHandle;
  let events: FlowEventBatch;
  const toEpoch = monotonicToEpochNow();

  function run(frame: Buffer, direction: 'egress' | 'ingress' = 'egress', gsoSegs = 0): number {
    return object.testRun(direction === 'egress' ? 'sm_tc_egress' : 'sm_tc_ingress', frame, 1, { gsoSegs }).retval;
  }
  function rows(): FlowSample[] {
    const { keys, values, count } = object.lookupBatch(FLOWS_MAPS.flows.name);
    return decodeFlowRows(keys, values, count, toEpoch);
  }
  function drain(): FlowEventBatch {
    ring.consume();
    const out = events;
    events = { opens: [], keysToRead: [], ends: [], dns: [], unknown: 0 };
    return out;
  }

  beforeAll(() => {
    const addon = loadAddon();
    object = addon.openObject(FLOWS_OBJECT);
    const bound = Buffer.alloc(4);
    bound.writeUInt32LE(100);
    object.setGlobal('dns_capture_bytes', bound);
    object.load();
    events = { opens: [], keysToRead: [], ends: [], dns: [], unknown: 0 };
    ring = addon.openRingBuffer(object.mapFd(FLOWS_MAPS.events.name), (batch) => {
      const decoded = decodeFlowEvents(batch, toEpoch);
      events.opens.push(...decoded.opens);
      events.ends.push(...decoded.ends);
      events.dns.push(...decoded.dns);
      events.unknown += decoded.unknown;
    });
  });
  beforeEach(() => {
    const { keys } = object.lookupBatch(FLOWS_MAPS.flows.name);
    object.deleteKeys(FLOWS_MAPS.flows.name, keys);
    drain();
  });
  afterAll(() => {
    ring?.close();
    object?.close();
  });

  it('returns TC_ACT_UNSPEC for every frame, broken or not', () => {
    const frames = [
      Buffer.alloc(14),
      // (BPF_PROG_TEST_RUN refuses IP frames shorter than their IP header; flows-malformed sends those for real.)
      ethernet(MAC, 0x0800, ipv4(A4, B4, 17, udp(1, 2, Buffer.alloc(0)), { ihl: 2 })),
      ethernet(MAC, 0x86dd, Buffer.alloc(40, 0x45)), // version 4 in an IPv6 frame
      ethernet(MAC, 0x0806, Buffer.alloc(28)),
      ethernet(MAC, 0x0800, ipv4(A4, B4, 6, tcp(1, 2, 0x02, Buffer.alloc(0)))),
    ];
    for (const frame of frames) {
      expect(run(frame, 'egress')).toBe(-1);
      expect(run(frame, 'ingress')).toBe(-1);
    }
  });

  it('orients egress as local→remote and ingress as remote→local into one canonical key', () => {
    run(ethernet(MAC, 0x0800, ipv4(A4, B4, 6, tcp(40000, 443, 0x02, Buffer.alloc(0)))), 'egress');
    run(ethernet(MAC, 0x0800, ipv4(B4, A4, 6, tcp(443, 40000, 0x12, Buffer.alloc(100)))), 'ingress');
    expect(rows()).toEqual([
      expect.objectContaining({ family: 4, proto: 6, localIp: A4, localPort: 40000, remoteIp: B4, remotePort: 443, txBytes: 40, rxBytes: 140, txPackets: 1, rxPackets: 1, tcpFlags: 0x12, initiator: 'local' }),
    ]);
    expect(drain().opens).toHaveLength(1);
  });

  it('the helper-based path (IPv4 options) and the direct path agree on one flow', () => {
    const direct = ethernet(MAC, 0x0800, ipv4(A4, B4, 17, udp(40010, 4500, Buffer.alloc(100))));
    const ip = ipv4(A4, B4, 17, udp(40010, 4500, Buffer.alloc(100)));
    const options = Buffer.concat([ip.subarray(0, 20), Buffer.from([1, 1, 1, 1]), ip.subarray(20)]);
    options[0] = 0x46;
    options.writeUInt16BE(options.length, 2);
    run(direct);
    run(ethernet(MAC, 0x0800, options));
    expect(rows()).toEqual([expect.objectContaining({ localPort: 40010, remotePort: 4500, txPackets: 2, txBytes: 128 + 132 })]);
  });

  it('counts GSO super-packets as their wire segments with per-segment headers', () => {
    // BPF_PROG_TEST_RUN takes at most a page of data, so the "super-packet" is small; the kernel
    // only looks at gso_segs here.
    run(ethernet(MAC, 0x0800, ipv4(A4, B4, 6, tcp(40001, 443, 0x10, Buffer.alloc(1000), 3))), 'egress', 4);
    const [row] = rows();
    expect(row?.txPackets).toBe(4);
    expect(row?.txBytes).toBe(1000 + 4 * (20 + 32));
  });

  it('IPv6: walks extension headers within the limit (HOP, DEST, AH) to the ports', () => {
    const ah = (next: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([next, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), payload]);
    const hop = (next: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([next, 0, 1, 4, 0, 0, 0, 0]), payload]);
    const packet = hop(60, destOptions(51, ah(17, udp(5000, 53, Buffer.alloc(20)))));
    run(ethernet(MAC, 0x86dd, ipv6(A6, B6, 0, packet)), 'egress');
    expect(rows()).toEqual([expect.objectContaining({ family: 6, proto: 17, localIp: A6, remoteIp: '2001:db8::1:0:0:9', localPort: 5000, remotePort: 53, txBytes: 40 + packet.length })]);
  });

  it('normalizes IPv4-mapped IPv6 headers to IPv4 keys', () => {
    run(ethernet(MAC, 0x86dd, ipv6(`::ffff:${A4}`, `::ffff:${B4}`, 17, udp(1000, 2000, Buffer.alloc(10)))), 'egress');
    expect(rows()).toEqual([expect.objectContaining({ family: 4, localIp: A4, remoteIp: B4, localPort: 1000, remotePort: 2000 })]);
  });

  it('QinQ (802.1ad + 802.1Q) frames are parsed to their ports; bytes exclude the L2 header', () => {
    const frame = ethernet(MAC, 0x88a8, Buffer.concat([Buffer.from([0, 9, 0x81, 0x00, 0, 7, 0x08, 0x00]), ipv4(A4, B4, 17, udp(1, 2, Buffer.alloc(10)))]));
    run(frame, 'egress');
    expect(rows()).toEqual([expect.objectContaining({ localPort: 1, remotePort: 2, txBytes: 38 })]);
  });

  it('emits flow-end once per flow on the first FIN or RST', () => {
    const syn = ethernet(MAC, 0x0800, ipv4(A4, B4, 6, tcp(40002, 80, 0x02, Buffer.alloc(0))));
    const fin = ethernet(MAC, 0x0800, ipv4(A4, B4, 6, tcp(40002, 80, 0x11, Buffer.alloc(0))));
    const rst = ethernet(MAC, 0x0800, ipv4(B4, A4, 6, tcp(80, 40002, 0x04, Buffer.alloc(0))));
    run(syn);
    run(fin);
    run(fin);
    run(rst, 'ingress');
    const batch = drain();
    expect(batch.opens).toHaveLength(1);
    expect(batch.ends).toEqual([expect.objectContaining({ localPort: 40002, remotePort: 80, reason: 'fin' })]);
    run(ethernet(MAC, 0x0800, ipv4(A4, B4, 6, tcp(40003, 80, 0x04, Buffer.alloc(0)))));
    expect(drain().ends).toEqual([expect.objectContaining({ localPort: 40003, reason: 'rst' })]);
  });

  it('copies DNS over TCP without the length prefix, bounded by dns_capture_bytes', () => {
    const message = Buffer.alloc(60, 0x33);
    const prefixed = Buffer.concat([Buffer.from([0, 60]), message]);
    run(ethernet(MAC, 0x0800, ipv4(B4, A4, 6, tcp(53, 40004, 0x18, prefixed))), 'ingress');
    const big = Buffer.alloc(300, 0x44);
    run(ethernet(MAC, 0x0800, ipv4(A4, B4, 17, udp(40005, 5353, big))), 'egress');
    const split = Buffer.concat([Buffer.from([0, 200]), message]); // a 200-byte message, first 60 bytes
    run(ethernet(MAC, 0x0800, ipv4(B4, A4, 6, tcp(53, 40006, 0x18, split))), 'ingress');
    const { dns } = drain();
    expect(dns).toHaveLength(3);
    expect(dns[2]).toMatchObject({ localPort: 40006, truncated: true });
    expect(Buffer.from(dns[2]?.payload ?? '', 'base64')).toEqual(message);
    expect(dns[0]).toMatchObject({ direction: 'rx', proto: 6, remotePort: 53, localPort: 40004, truncated: false });
    expect(Buffer.from(dns[0]?.payload ?? '', 'base64')).toEqual(message);
    expect(dns[1]).toMatchObject({ direction: 'tx', proto: 17, remotePort: 5353, truncated: true });
    expect(Buffer.from(dns[1]?.payload ?? '', 'base64')).toEqual(big.subarray(0, 100));
  });
});
