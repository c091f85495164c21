// Owner attribution on the real kernel with the default chains: every scenario of issue 3, the
// close and exec/exit records, and a connection opened before the chains attached.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { addonPath } from '../../native/addon.js';
import { OWNER_CAPABILITIES, OWNER_CHAINS } from '../../native/chains.js';
import { expectedWinner, kernelFacts } from '../support/kernel-facts.js';
import { OwnerCollector, startPeer } from './fixtures/owners-harness.js';
import { runAllScenarios, tcpExchange } from './fixtures/owners-scenarios.js';

const gate = kernelGate([addonPath()]);

describe.skipIf(gate.skip)('owner chains (default)', () => {
  let net: TestNet;
  let collector: OwnerCollector;

  beforeAll(() => {
    net = createTestNet('own');
    collector = new OwnerCollector();
  });
  afterAll(() => {
    collector?.close();
    net?.destroy();
  });

  it('picks the first variant of each chain that this kernel supports, and says why the earlier ones failed', () => {
    const { winners, probeLog } = collector.chains;
    const facts = kernelFacts();
    const expected = Object.fromEntries(OWNER_CAPABILITIES.map((capability) => [capability, expectedWinner(OWNER_CHAINS[capability], facts)]));
    expect(winners, `kernel ${facts.release}, kprobes ${facts.kprobes}`).toEqual(expected);
    for (const capability of OWNER_CAPABILITIES) {
      const chain = OWNER_CHAINS[capability].map((candidate) => candidate.name);
      const losers = chain.slice(0, chain.indexOf(String(expected[capability])));
      expect(probeLog[capability]?.map(([name]) => name) ?? [], capability).toEqual(losers);
      for (const [, reason] of probeLog[capability] ?? []) expect(reason).toMatch(/^E[A-Z]+/);
    }
    expect(collector.chains.skOwnerMapFd).toBeGreaterThan(0);
  });

  it('attributes TCP connect/accept (v4, v6, dual-stack) and UDP (unconnected, connected, receive) on both ends', async () => {
    const { tcpClientPort } = await runAllScenarios(collector, net);
    const closed = await collector.waitFor(() => collector.closes.find((end) => end.proto === 6 && end.localPort === tcpClientPort));
    expect(closed?.reason, JSON.stringify(collector.closes.slice(0, 20))).toBe('close');
    expect(collector.chains.stats().malformed).toBe(0);
  });

  it('reports exec and exit of a short-lived process with its start time', async () => {
    const peer = startPeer('smo-exec', ['udp-send', net.nsIp4, '9']);
    await peer.exited;
    const exec = await collector.waitFor(() => collector.processes.find((event) => event.kind === 'exec' && event.pid === peer.pid));
    const exit = await collector.waitFor(() => collector.processes.find((event) => event.kind === 'exit' && event.pid === peer.pid));
    expect(exec?.comm).toBe('owners-peer');
    expect(exec?.ppid).toBe(process.pid);
    expect(exit?.comm).toBe('smo-exec');
    expect(exit?.startTime).toBe(exec?.startTime);
    expect(exec!.startTime).toBeGreaterThan(0);
  });

  it('owns a connection opened before the chains attached (iter/task_file)', async () => {
    const server = startPeer('smo-old-s', ['tcp-listen', net.nsIp4, '0'], net);
    const { port } = await server.next('listening');
    const client = startPeer('smo-old-c', ['tcp-hold', net.nsIp4, String(port)]);
    const connected = await client.next('connected');
    const late = new OwnerCollector();
    try {
      const existing = late.chains.existingOwners();
      const owner = existing.find((candidate) => candidate.localPort === connected.localPort && candidate.remotePort === port);
      expect(owner).toMatchObject({ pid: client.pid, comm: 'smo-old-c', how: 'existing', proto: 6, remoteIp: net.nsIp4 });
      expect(existing.filter((candidate) => candidate.localPort === connected.localPort && candidate.remotePort === port && candidate.pid !== client.pid)).toEqual([]);
    } finally {
      late.close();
      client.child.kill('SIGKILL');
      server.child.kill('SIGKILL');
    }
  });

  it('owns an accepted socket that never sends or receives (listener identity)', async () => {
    const server = startPeer('smo-silent', ['tcp-silent', net.nsIp6, '0'], net);
    const { port } = await server.next('listening');
    const peer = startPeer('smo-holder', ['tcp-hold', net.nsIp6, String(port)]);
    const connected = await peer.next('connected');
    try {
      await server.next('accepted');
      const owner = await collector.waitFor(() =>
        collector.owners.find((candidate) => candidate.localPort === port && candidate.remotePort === connected.localPort && candidate.proto === 6),
      );
      // Variants on the accept path run in the accepting task and say so; the tracepoint variant (no
      // accept hook) names the listener's owner at the handshake.
      const how = collector.chains.winners.accept === 'tp_btf:sock_recv_length' ? 'listen' : 'accept';
      expect(owner).toMatchObject({ pid: server.pid, comm: 'smo-silent', how, family: 6, localIp: net.nsIp6, remoteIp: net.hostIp6 });
    } finally {
      peer.child.kill('SIGKILL');
      server.child.kill('SIGKILL');
    }
  });

  it('reports the process id (TGID), not the thread id, for a connect made on a worker thread', async () => {
    const server = startPeer('smo-ts', ['tcp-listen', net.nsIp4, '0'], net);
    const { port } = await server.next('listening');
    const client = startPeer('smo-threads', ['tcp-connect-thread', net.nsIp4, String(port)]);
    const connected = await client.next('connected');
    const owner = await collector.waitFor(() =>
      collector.owners.find((candidate) => candidate.how === 'connect' && candidate.localPort === connected.localPort && candidate.remotePort === port),
    );
    expect(owner?.pid).toBe(client.pid);
    expect(connected.pid).toBe(client.pid);
    console.info(`worker-thread connect: pid ${owner?.pid}, thread comm '${owner?.comm}'`);
    await Promise.all([client.exited, server.exited]);
  });

  it('attributes loopback: both ends local, each with its own owner', async () => {
    await tcpExchange(collector, { bindIp: '127.0.0.1', targetIp: '127.0.0.1', family: 4, tag: 'lo' });
  });
});
