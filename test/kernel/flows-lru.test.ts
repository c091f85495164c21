// More flows than the LRU holds: the kernel evicts, we count it, nothing hangs or fails.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonPath } from '../../native/addon.js';
import { FlowCapture } from '../../native/flows.js';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { ethernet, ipv4, udp } from './fixtures/flows-frames.js';

const RAW = fileURLToPath(new URL('./fixtures/flows-raw.py', import.meta.url));
const gate = kernelGate([addonPath()]);
const TABLE = 256;
const FLOWS = 2000;

describe.skipIf(gate.skip)('flows: LRU overflow', () => {
  let net: TestNet;
  let capture: FlowCapture;

  beforeAll(() => {
    net = createTestNet('fl');
    capture = FlowCapture.open({ interfaces: [net.hostIf], flowTableSize: TABLE });
  });
  afterAll(() => {
    capture?.close();
    net?.destroy();
  });

  it(`${FLOWS} flows through a ${TABLE}-entry table: evictions counted, table bounded, still counting`, () => {
    const nsMac = net.run('cat', [`/sys/class/net/${net.nsIf}/address`]).trim();
    const frames: string[] = [];
    for (let port = 10_000; port < 10_000 + FLOWS; port++) {
      frames.push(ethernet(nsMac, 0x0800, ipv4(net.hostIp4, net.nsIp4, 17, udp(port, 9, Buffer.alloc(4)))).toString('hex'));
    }
    for (let start = 0; start < frames.length; start += 500) execFileSync('python3', [RAW, 'send', net.hostIf, ...frames.slice(start, start + 500)]);
    const createdBefore = capture.stats().counters.flowsCreated;
    const rows = capture.readFlows();
    const stats = capture.stats();
    expect(stats.counters.flowsCreated).toBeGreaterThanOrEqual(FLOWS);
    expect(rows.length).toBeLessThanOrEqual(TABLE);
    expect(stats.flowsEvicted).toBeGreaterThanOrEqual(FLOWS - TABLE);
    // created − present = evicted, exactly, for the flows that existed when the table was read; a flow
    // the veth's own IPv6 chatter (DAD, MLD) creates during the read may or may not be in it (seen
    // under emulation, where that chatter is slow to settle).
    expect(stats.flowsEvicted).toBeGreaterThanOrEqual(createdBefore - rows.length);
    expect(stats.flowsEvicted).toBeLessThanOrEqual(stats.counters.flowsCreated - rows.length);
    // The newest flow survived eviction and is counted right.
    expect(rows.find((row) => row.localPort === 10_000 + FLOWS - 1)).toMatchObject({ txPackets: 1, txBytes: 32, remotePort: 9 });
  });
});
