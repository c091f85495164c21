// Every owner variant forced one at a time. Those the running kernel supports (native/chains.ts
// `needs`, against test/support/kernel-facts.ts) must load and pass the attribution scenarios that go
// through their hook; the others must fail with a clear EVARIANT error and leave no program or link
// behind.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { addonPath } from '../../native/addon.js';
import { allBpfVariants, type OwnerCapability } from '../../native/chains.js';
import { isNativeError } from '../../native/errors.js';
import { OwnerCollector, startPeer } from './fixtures/owners-harness.js';
import { tcpExchange, tcpScenarios, udpScenarios } from './fixtures/owners-scenarios.js';
import { kernelFacts, kernelMeets } from '../support/kernel-facts.js';

const gate = kernelGate([addonPath()]);
const TRACEFS = '/sys/kernel/tracing';
const facts = kernelFacts();

/** BPF programs and links this process holds (fd-based: whatever it attached lives on these fds). */
function heldBpfObjects(): Set<string> {
  const held = new Set<string>();
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    let info: string;
    try {
      info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    } catch {
      continue;
    }
    const link = /^link_id:\s*(\d+)/m.exec(info)?.[1];
    const prog = /^prog_id:\s*(\d+)/m.exec(info)?.[1];
    if (link) held.add(`link ${link}`);
    else if (prog) held.add(`prog ${prog}`);
  }
  return held;
}

/** Every link the kernel lists whose program is one of `programIds`. */
function kernelLinksOf(programIds: number[]): number[] {
  const links = JSON.parse(execFileSync('bpftool', ['-j', 'link', 'show'], { encoding: 'utf8' })) as Array<{ id: number; prog_id: number }>;
  return links.filter((link) => programIds.includes(link.prog_id)).map((link) => link.id);
}

function tracefsMounted(): boolean {
  return readFileSync('/proc/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === TRACEFS);
}

/**
 * The scenarios that go through each capability's hook. The rest would only run the default chains
 * again, which owners.test.ts proves on every kernel: all eleven for every variant cost ~11 s each
 * of a 6.1 guest's 212 s in this file. close, exec and icmp need one TCP exchange: a client's close,
 * processes exec'd and exiting, and for icmp (pings are watch-identity's) attribution left intact.
 */
const SCENARIOS: Record<Exclude<OwnerCapability, 'startup'>, (collector: OwnerCollector, net: TestNet) => Promise<{ tcpClientPort?: number }>> = {
  connect: tcpScenarios,
  accept: tcpScenarios,
  udp: async (collector, net) => {
    await udpScenarios(collector, net);
    return {};
  },
  close: oneTcpExchange,
  exec: oneTcpExchange,
  icmp: oneTcpExchange,
};

async function oneTcpExchange(collector: OwnerCollector, net: TestNet): Promise<{ tcpClientPort: number }> {
  const { clientPort } = await tcpExchange(collector, { bindIp: net.nsIp4, targetIp: net.nsIp4, serverNet: net, family: 4, tag: 'c4' });
  return { tcpClientPort: clientPort };
}

describe.skipIf(gate.skip)('owner variants forced one at a time', () => {
  let net: TestNet;
  let mountedTracefs = false;

  beforeAll(() => {
    // Classic tracepoints resolve their ids through tracefs; mount it if nobody did.
    if (!tracefsMounted() && existsSync(TRACEFS)) {
      execFileSync('mount', ['-t', 'tracefs', 'tracefs', TRACEFS]);
      mountedTracefs = true;
    }
    net = createTestNet('var');
  });
  afterAll(() => {
    net?.destroy();
    if (mountedTracefs) execFileSync('umount', [TRACEFS]);
  });

  it('rejects an unknown forced variant with EVARIANT before attaching anything', () => {
    const before = heldBpfObjects();
    expect(() => new OwnerCollector({ connect: 'tp_btf:inet_sock_set_state', udp: 'kprobe:bogus' })).toThrow(
      expect.objectContaining({ code: 'EVARIANT', message: expect.stringContaining("unknown udp variant 'kprobe:bogus'") }),
    );
    expect([...heldBpfObjects()].filter((entry) => !before.has(entry))).toEqual([]);
  });

  it.each([['startup'], ['connect']] as const)('%s=proc:/proc finds a held connection by scanning /proc', async (capability) => {
    const collector = new OwnerCollector({ [capability]: 'proc:/proc' });
    const server = startPeer('smo-ps', ['tcp-listen', net.nsIp4, '0'], net);
    try {
      expect(collector.chains.winners[capability]).toBe('proc:/proc');
      const { port } = await server.next('listening');
      const client = startPeer('smo-pc', ['tcp-hold', net.nsIp4, String(port)]);
      const connected = await client.next('connected');
      const find = (owners: typeof collector.owners) =>
        owners.find((candidate) => candidate.localPort === connected.localPort && candidate.remotePort === port && candidate.how === 'existing');
      // startup: one scan on demand; connect: the 1 s poll delivers sockets it has not seen before.
      const owner = capability === 'startup' ? find(collector.chains.existingOwners()) : await collector.waitFor(() => find(collector.owners), 4_000);
      client.child.kill('SIGKILL');
      expect(owner).toMatchObject({ pid: client.pid, comm: 'smo-pc', proto: 6, remoteIp: net.nsIp4, cookie: null });
    } finally {
      server.child.kill('SIGKILL');
      collector.close();
    }
  });

  for (const { capability, variant } of allBpfVariants()) {
    if (!kernelMeets(variant.needs, facts)) {
      it(`${capability}=${variant.name} is refused on ${facts.release}, cleanly, leaving nothing attached`, () => {
        const before = heldBpfObjects();
        let error: unknown;
        try {
          new OwnerCollector({ [capability]: variant.name }).close();
        } catch (caught) {
          error = caught;
        }
        expect(isNativeError(error, 'EVARIANT'), String(error)).toBe(true);
        expect((error as Error).message).toContain(`forced ${capability} variant '${variant.name}' cannot run here`);
        expect((error as Error).message).toMatch(/ — E[A-Z0-9]+: /);
        const leaked = [...heldBpfObjects()].filter((entry) => !before.has(entry));
        expect(leaked, 'programs or links still held after the failure').toEqual([]);
        const leakedPrograms = leaked.filter((entry) => entry.startsWith('prog ')).map((entry) => Number(entry.slice(5)));
        expect(kernelLinksOf(leakedPrograms), 'links still attached (bpftool link show)').toEqual([]);
      });
      continue;
    }
    it(`${capability}=${variant.name} loads on ${facts.release} and passes the attribution scenarios through its hook`, async () => {
      const collector = new OwnerCollector({ [capability]: variant.name });
      try {
        expect(collector.chains.winners[capability]).toBe(variant.name);
        if (capability === 'startup') {
          const server = startPeer('smo-vs', ['tcp-listen', net.nsIp4, '0'], net);
          const { port } = await server.next('listening');
          const client = startPeer('smo-vc', ['tcp-hold', net.nsIp4, String(port)]);
          const connected = await client.next('connected');
          const owner = collector.chains.existingOwners().find((candidate) => candidate.localPort === connected.localPort && candidate.remotePort === port);
          client.child.kill('SIGKILL');
          server.child.kill('SIGKILL');
          expect(owner).toMatchObject({ pid: client.pid, comm: 'smo-vc', remoteIp: net.nsIp4 });
          return;
        }
        const { tcpClientPort } = await SCENARIOS[capability](collector, net);
        if (capability === 'close') {
          const end = await collector.waitFor(() => collector.closes.find((candidate) => candidate.proto === 6 && candidate.localPort === tcpClientPort));
          expect(end?.reason).toBe('close');
        }
        if (capability === 'exec') {
          expect(collector.processes.some((event) => event.kind === 'exec')).toBe(true);
          expect(collector.processes.some((event) => event.kind === 'exit')).toBe(true);
          // Every variant appends the cgroup id and netns inode (issue 14): non-zero for any task.
          const execs = collector.processes.filter((event) => event.kind === 'exec');
          expect(execs.every((event) => /^[1-9][0-9]*$/.test(event.cgroupId ?? '') && (event.netns ?? 0) > 0)).toBe(true);
        }
      } finally {
        collector.close();
      }
    });
  }
});
