// openProbe(), the facade the helper uses: flows and owners behind one Probe; and what an
// unprivileged caller is told.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonPath, loadAddon } from '../../native/addon.js';
import { openProbe } from '../../native/index.js';
import type { FlowKey } from '../../src/shared/capture.js';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { hostPeer, nsPeer, sleep } from './fixtures/flows-run.js';

const UNPRIVILEGED = fileURLToPath(new URL('./fixtures/flows-unprivileged.mjs', import.meta.url));
const gate = kernelGate([addonPath(), fileURLToPath(new URL('../../dist/native/index.js', import.meta.url))]);

// Other engineers' kernel tests may run openProbe() concurrently and attach their own sm_tc_*
// programs to every interface, ours included: "ours" are the ids that appeared while our probe was open.
function tcxIds(ifindex: number): number[] {
  const addon = loadAddon();
  return [...addon.queryTcx(ifindex, 'ingress'), ...addon.queryTcx(ifindex, 'egress')].filter((entry) => entry.name.startsWith('sm_tc')).map((entry) => entry.progId);
}

describe.skipIf(gate.skip)('openProbe (flows side)', () => {
  let net: TestNet;

  beforeAll(() => {
    net = createTestNet('fp');
  });
  afterAll(() => {
    net?.destroy();
  });

  it('reports tcx and tc:dns, announces new flows, reads them, and closes cleanly', async () => {
    const before = new Set(tcxIds(net.hostIfindex));
    const probe = await openProbe({ interfaces: [net.hostIf] });
    const mine = tcxIds(net.hostIfindex).filter((id) => !before.has(id));
    try {
      expect(probe.probes.tc).toBe('tcx');
      expect(probe.probes.dns).toBe('tc:dns');
      expect(mine).toHaveLength(2);
      const opened: FlowKey[] = [];
      probe.listen({ flowOpens: (keys) => opened.push(...keys) });
      const sink = nsPeer(net, ['udp-sink', net.nsIp4, '45001', '3']);
      await sink.ready;
      const [sent] = await Promise.all([hostPeer(['udp-send', net.nsIp4, '45001', '100', '3']).done, sink.done]);
      const localPort = sent[0]?.localPort as number;
      await sleep(400); // flow opens stay below the wakeup threshold; the 200 ms poll delivers them
      expect(opened).toContainEqual(expect.objectContaining({ ifindex: net.hostIfindex, proto: 17, localPort, remotePort: 45001 }));
      expect(probe.readFlows()).toContainEqual(expect.objectContaining({ localPort, txPackets: 3, rxPackets: 3, txBytes: 3 * 128 }));
      const stats = probe.stats();
      expect(stats.interfaces).toEqual([{ name: net.hostIf, ifindex: net.hostIfindex, mode: 'tcx' }]);
      expect(stats.eventsLost).toBe(0);
    } finally {
      probe.close();
      probe.close();
    }
    expect(tcxIds(net.hostIfindex).filter((id) => mine.includes(id))).toEqual([]);
  });

  it('honours a forced clsact variant', async () => {
    const probe = await openProbe({ interfaces: [net.hostIf], force: { tc: 'clsact' } });
    try {
      expect(probe.probes.tc).toBe('clsact');
    } finally {
      probe.close();
    }
    expect(execFileSync('tc', ['filter', 'show', 'dev', net.hostIf, 'ingress'], { encoding: 'utf8' })).not.toMatch(/sm_tc_/); // nobody else uses clsact
  });

  it('rejects a forced variant that cannot attach with EVARIANT and leaves nothing attached', async () => {
    const before = tcxIds(net.hostIfindex).length;
    await expect(openProbe({ interfaces: ['no-such-if0'], force: { tc: 'tcx' } })).rejects.toMatchObject({ code: 'EVARIANT' });
    await expect(openProbe({ interfaces: [net.hostIf], force: { tc: 'bogus' } })).rejects.toMatchObject({ code: 'EVARIANT' });
    await expect(openProbe({ interfaces: [net.hostIf], force: { dns: 'uprobe:getaddrinfo' } })).rejects.toMatchObject({ code: 'EVARIANT' });
    expect(tcxIds(net.hostIfindex).length).toBeLessThanOrEqual(before);
  });

  it('an interface that is gone is ENODEV, said in words', () => {
    const object = loadAddon().openObject('flows');
    try {
      object.load();
      expect(() => object.attachTcx('sm_tc_ingress', 0x7ffffff0, 'ingress')).toThrow(expect.objectContaining({ name: 'NativeError', code: 'ENODEV', message: expect.stringMatching(/interface is gone/) }));
      expect(() => object.attachTcx('no_such_program', 1, 'ingress')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    } finally {
      object.close();
    }
  });

  it('tells an unprivileged caller which capabilities are missing (EPERM)', () => {
    const output = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, UNPRIVILEGED], { encoding: 'utf8' });
    const result = JSON.parse(output.trim().split('\n').pop() ?? '{}') as { opened: boolean; code?: string; name?: string; message?: string };
    expect(result).toMatchObject({ opened: false, name: 'NativeError', code: 'EPERM' });
    expect(result.message).toMatch(/missing capabilities: CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN, CAP_SYS_ADMIN/);
  });
});
