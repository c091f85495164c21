// Interfaces that come and go while capturing, and an L3 device without an Ethernet header (tun).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonPath } from '../../native/addon.js';
import { FlowCapture } from '../../native/flows.js';
import type { FlowSample } from '../../src/shared/capture.js';
import { kernelGate } from '../support/kernel-gate.js';
import { kernelFacts } from '../support/kernel-facts.js';
import { createTestNet, ip, type TestNet } from '../support/netns.js';
import { waitFor } from '../support/wait-for.js';
import { hostPeer, nsPeer } from './fixtures/flows-run.js';

const gate = kernelGate([addonPath()]);
const REFLECTOR = fileURLToPath(new URL('./fixtures/flows-tun-reflector.py', import.meta.url));

type Change = { name: string; ifindex: number; event: string };


async function udpExchange(net: TestNet, remote: string, port: number): Promise<number> {
  const sink = nsPeer(net, ['udp-sink', remote, String(port), '10']);
  await sink.ready;
  const sender = hostPeer(['udp-send', remote, String(port), '1000', '10']);
  const [sent] = await Promise.all([sender.done, sink.done]);
  return sent[0]?.localPort as number;
}

function row(rows: FlowSample[], ifindex: number, proto: number, localPort: number): FlowSample | undefined {
  return rows.find((r) => r.ifindex === ifindex && r.proto === proto && r.localPort === localPort);
}

describe.skipIf(gate.skip)('flows: interfaces that appear, change and go', () => {
  let first: TestNet;
  let later: TestNet | null = null;
  let capture: FlowCapture;
  const changes: Change[] = [];
  const tunnel = `smi${process.pid.toString(36)}`.slice(0, 15);

  beforeAll(() => {
    first = createTestNet('fk');
    capture = FlowCapture.open();
    capture.listen({ interfaces: (change) => changes.push(change) });
  });
  /**
   * The UDP row once `packets` went each way. The TC program counts each packet before it is
   * delivered, so this is true when the peers exit; waiting for it (not a sleep) says so.
   */
  const counted = (ifindex: number, localPort: number, packets: number): Promise<FlowSample> =>
    waitFor(() => {
      const found = row(capture.readFlows(), ifindex, 17, localPort);
      return found !== undefined && found.txPackets >= packets && found.rxPackets >= packets ? found : undefined;
    }, { what: `the UDP flow from port ${localPort} on ifindex ${ifindex} with ${packets} packets each way` });

  afterAll(() => {
    capture?.close();
    try {
      ip(['link', 'del', tunnel]);
    } catch {
      /* never created or already gone */
    }
    later?.destroy();
    first?.destroy();
  });

  it('attaches to every present interface of the host namespace, lo included', () => {
    const attached = capture.stats().interfaces;
    const mode = kernelFacts().tcx ? 'tcx' : 'clsact';
    expect(attached.find((entry) => entry.name === 'lo')?.mode).toBe(mode);
    expect(attached.find((entry) => entry.ifindex === first.hostIfindex)?.mode).toBe(mode);
  });

  it('attaches to an interface created after start and counts its traffic', async () => {
    later = createTestNet('fm');
    const net = later;
    await waitFor(() => changes.find((c) => c.ifindex === net.hostIfindex && c.event === 'attached'), { what: 'attach event' });
    const localPort = await udpExchange(net, net.nsIp4, 44001);
    expect(await counted(net.hostIfindex, localPort, 10)).toMatchObject({ txPackets: 10, rxPackets: 10, txBytes: 10 * 1028, rxBytes: 10 * 1028 });
  });

  it('parses a tun device (no Ethernet header): exact bytes both ways', async () => {
    // This kernel has no ipip/sit/gre/wireguard modules; tun (ARPHRD_NONE) is the L3 device we can make.
    const octet = first.nsIp4.split('.')[2];
    const hostInner = `10.215.${octet}.1`;
    const peerInner = `10.215.${octet}.2`;
    ip(['tuntap', 'add', 'dev', tunnel, 'mode', 'tun']);
    ip(['addr', 'add', `${hostInner}/30`, 'dev', tunnel]);
    ip(['link', 'set', tunnel, 'up']);
    const tunnelIndex = Number(ip(['-o', 'link', 'show', tunnel]).split(':')[0]);
    await waitFor(() => changes.find((c) => c.ifindex === tunnelIndex && c.event === 'attached'), { what: 'tun attach' });
    const reflector = spawn('python3', [REFLECTOR, tunnel, '10'], { stdio: ['ignore', 'pipe', 'inherit'] });
    // Listen for exit from the start: the reflector may finish before the sender has read its echoes.
    const reflected = new Promise<number | null>((resolve) => reflector.once('exit', resolve));
    await Promise.race([new Promise<void>((resolve) => reflector.stdout.once('data', () => resolve())), reflected]);
    const sender = hostPeer(['udp-send', peerInner, '44002', '1000', '10']);
    const sent = await sender.done;
    expect(await reflected).toBe(0);
    const localPort = sent[0]?.localPort as number;
    expect(await counted(tunnelIndex, localPort, 10)).toMatchObject({
      family: 4,
      localIp: hostInner,
      remoteIp: peerInner,
      remotePort: 44002,
      txPackets: 10,
      rxPackets: 10,
      txBytes: 10 * 1028,
      rxBytes: 10 * 1028,
      initiator: 'local',
    });
  });

  it('deleting an interface mid-run is harmless: detached, its rows forgotten, others still counted', async () => {
    // Its own interface, with rows of its own: independent of the tests before it.
    const net = createTestNet('fd');
    const gone = net.hostIfindex;
    try {
      await waitFor(() => changes.find((c) => c.ifindex === gone && c.event === 'attached'), { what: 'attach event' });
      await counted(gone, await udpExchange(net, net.nsIp4, 44004), 10);
    } finally {
      net.destroy();
    }
    await waitFor(() => changes.find((c) => c.ifindex === gone && c.event === 'detached'), { what: 'detach event' });
    expect(capture.stats().interfaces.some((entry) => entry.ifindex === gone)).toBe(false);
    expect(capture.readFlows().some((r) => r.ifindex === gone)).toBe(false);
    const localPort = await udpExchange(first, first.nsIp4, 44003);
    expect(await counted(first.hostIfindex, localPort, 10)).toMatchObject({ txPackets: 10, rxPackets: 10 });
    expect(changes.filter((c) => c.event === 'failed')).toEqual([]);
  });
});
