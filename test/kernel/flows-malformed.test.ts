// Malformed and unusual frames injected with a packet socket on the host end of a veth. The TC
// egress program sees each one; the namespace end must receive byte-for-byte what it receives with
// no program attached, and the counters must follow the rules: broken IP headers are parse errors
// (no row), non-IP is ignored, fragments without ports and over-long IPv6 extension chains are
// counted under a port-less key, a truncated L4 header counts port-less plus a parse error.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonPath } from '../../native/addon.js';
import { FlowCapture } from '../../native/flows.js';
import type { FlowSample } from '../../src/shared/capture.js';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { scaled } from '../support/time-scale.js';
import { waitForClose } from '../support/wait-for.js';
import { MARK_MAC, canonicalIp, destOptions, ethernet, fragmentHeader, ipv4, ipv6, udp, vlan } from './fixtures/flows-frames.js';

const RAW = fileURLToPath(new URL('./fixtures/flows-raw.py', import.meta.url));
const gate = kernelGate([addonPath()]);

async function deliver(net: TestNet, frames: Buffer[]): Promise<string[]> {
  const receiver = net.spawn('python3', [RAW, 'recv', net.nsIf, MARK_MAC, String(frames.length), '30'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  // 'close', not 'exit': the list is the receiver's last line, and 'exit' can come before it is read.
  const closed = waitForClose(receiver, { timeout: scaled(60_000), what: 'the frame receiver to finish' });
  receiver.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await Promise.race([new Promise<void>((resolve) => receiver.stdout?.once('data', () => resolve())), closed]);
  execFileSync('python3', [RAW, 'send', net.hostIf, ...frames.map((frame) => frame.toString('hex'))]);
  const code = await closed;
  const lines = output.trim().split('\n');
  if (code !== 0 || lines.length !== 2 || lines[0] !== 'ready') throw new Error(`frame receiver exited ${code} with: ${output}`);
  return JSON.parse(lines[1]!) as string[];
}

describe.skipIf(gate.skip)('flows: malformed traffic', () => {
  let net: TestNet;
  let frames: Buffer[];
  let nsMac: string;

  beforeAll(() => {
    net = createTestNet('fx');
    nsMac = net.run('cat', [`/sys/class/net/${net.nsIf}/address`]).trim();
    const { hostIp4: h4, nsIp4: n4, hostIp6: h6, nsIp6: n6 } = net;
    const body = Buffer.alloc(50, 0x63);
    let chain = udp(1, 2, body);
    for (let i = 0; i < 7; i++) chain = destOptions(i === 0 ? 17 : 60, chain);
    frames = [
      ethernet(nsMac, 0x0800, Buffer.alloc(10, 0x45)), // truncated IPv4 header
      ethernet(nsMac, 0x0800, ipv4(h4, n4, 17, udp(3, 4, body), { ihl: 3 })), // IHL < 5
      ethernet(nsMac, 0x0800, ipv4(h4, n4, 17, body, { fragment: 100 })), // non-first fragment
      ethernet(nsMac, 0x0800, ipv4(h4, n4, 17, udp(5555, 6666, body), { more: true })), // first fragment: has ports
      ethernet(nsMac, 0x0800, ipv4(h4, n4, 17, udp(7777, 8888, Buffer.alloc(0)))), // zero-length UDP
      ethernet(nsMac, 0x0800, ipv4(h4, n4, 6, Buffer.alloc(4, 0x11))), // truncated TCP header
      ethernet(nsMac, 0x86dd, ipv6(h6, n6, 60, chain)), // 7 extension headers > limit of 6
      ethernet(nsMac, 0x86dd, ipv6(h6, n6, 44, fragmentHeader(17, 100, false, body))), // non-first v6 fragment
      ethernet(nsMac, 0x86dd, Buffer.alloc(20, 0x60)), // truncated IPv6 header
      ethernet(nsMac, 0x88b5, Buffer.alloc(46, 0x01)), // non-IP ethertype
      vlan(nsMac, 42, 0x0800, ipv4(h4, n4, 17, udp(9999, 9998, body))), // 802.1Q-tagged IPv4/UDP
    ];
  });
  afterAll(() => {
    net?.destroy();
  });

  it('the receiver gets exactly the same frames with and without the program, and counts follow the rules', async () => {
    const without = await deliver(net, frames);
    // Every frame arrives (the veth receiver strips the 802.1Q tag into skb metadata, so compare counts).
    expect(without).toHaveLength(frames.length);

    const capture = FlowCapture.open({ interfaces: [net.hostIf] });
    try {
      const before = capture.stats().counters;
      const withProgram = await deliver(net, frames);
      expect(withProgram).toEqual(without);
      const after = capture.stats().counters;
      expect(after.parseError - before.parseError).toBe(4); // truncated v4, IHL<5, truncated TCP, truncated v6
      expect(after.fragment - before.fragment).toBe(2);
      expect(after.extLimit - before.extLimit).toBe(1);
      expect(after.notIp - before.notIp).toBeGreaterThanOrEqual(1);

      const rows = capture.readFlows().filter((row) => row.ifindex === net.hostIfindex);
      const pick = (match: Partial<FlowSample>): FlowSample | undefined =>
        rows.find((row) => Object.entries(match).every(([key, value]) => row[key as keyof FlowSample] === value));
      const v4 = { family: 4, localIp: net.hostIp4, remoteIp: net.nsIp4 } as const;
      const v6 = { family: 6, localIp: canonicalIp(net.hostIp6), remoteIp: canonicalIp(net.nsIp6) } as const;
      expect(pick({ ...v4, proto: 17, localPort: 0, remotePort: 0 })).toMatchObject({ txBytes: 70, txPackets: 1 });
      expect(pick({ ...v4, proto: 17, localPort: 5555, remotePort: 6666 })).toMatchObject({ txBytes: 78, txPackets: 1 });
      expect(pick({ ...v4, proto: 17, localPort: 7777, remotePort: 8888 })).toMatchObject({ txBytes: 28, txPackets: 1 });
      expect(pick({ ...v4, proto: 17, localPort: 9999, remotePort: 9998 })).toMatchObject({ txBytes: 78, txPackets: 1 });
      expect(pick({ ...v4, proto: 6, localPort: 0, remotePort: 0 })).toMatchObject({ txBytes: 24, txPackets: 1, tcpFlags: 0 });
      expect(pick({ ...v6, proto: 60, localPort: 0, remotePort: 0 })).toMatchObject({ txBytes: 40 + 7 * 8 + 58, txPackets: 1 });
      expect(pick({ ...v6, proto: 17, localPort: 0, remotePort: 0 })).toMatchObject({ txBytes: 40 + 8 + 50, txPackets: 1 });
      expect(pick({ ...v4, localPort: 3 })).toBeUndefined(); // IHL < 5 makes no row
    } finally {
      capture.close();
    }
  });
});
