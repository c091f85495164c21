// openProbe(), the facade the helper uses: flows and owners behind one Probe; and what an
// unprivileged caller is told.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonPath, loadAddon } from '../../native/addon.js';
import { openProbe } from '../../native/index.js';
import type { FlowSample } from '../../src/shared/capture.js';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { kernelFacts } from '../support/kernel-facts.js';
import { waitFor } from '../support/wait-for.js';
import { hostPeer, nsPeer } from './fixtures/flows-run.js';

const UNPRIVILEGED = fileURLToPath(new URL('./fixtures/flows-unprivileged.mjs', import.meta.url));
const gate = kernelGate([addonPath(), fileURLToPath(new URL('../../dist/native/index.js', import.meta.url))]);

// Other engineers' kernel tests may run openProbe() concurrently and attach their own sm_tc_*
// programs to every interface, ours included: "ours" are the ids that appeared while our probe was open.
// Before 6.6 there is no tcx: programs sit in clsact filters, listed by tc.
const facts = kernelFacts();
const TC_MODE = facts.tcx ? 'tcx' : 'clsact';

function tcIds(ifindex: number): number[] {
  const addon = loadAddon();
  const tcx = facts.tcx ? [...addon.queryTcx(ifindex, 'ingress'), ...addon.queryTcx(ifindex, 'egress')] : [];
  const fromTcx = tcx.filter((entry) => entry.name.startsWith('sm_tc')).map((entry) => entry.progId);
  const dev = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .find((line) => line.startsWith(`${ifindex}: `))
    ?.split(': ')[1]
    ?.split('@')[0];
  if (!dev) return fromTcx;
  const filters = ['ingress', 'egress'].map((hook) => execFileSync('tc', ['filter', 'show', 'dev', dev, hook], { encoding: 'utf8' })).join('\n');
  return [...fromTcx, ...[...filters.matchAll(/sm_tc\w*[^\n]*?\bid (\d+)/g)].map((match) => Number(match[1]))];
}

describe.skipIf(gate.skip)('openProbe (flows side)', () => {
  let net: TestNet;

  beforeAll(() => {
    net = createTestNet('fp');
  });
  afterAll(() => {
    net?.destroy();
  });

  it(`reports ${TC_MODE} and tc:dns, announces new flows, reads them, and closes cleanly`, async () => {
    const before = new Set(tcIds(net.hostIfindex));
    const probe = await openProbe({ interfaces: [net.hostIf] });
    const mine = tcIds(net.hostIfindex).filter((id) => !before.has(id));
    try {
      expect(probe.probes.tc).toBe(TC_MODE);
      expect(probe.probes.dns).toBe('tc:dns');
      expect(mine).toHaveLength(2);
      const opened: FlowSample[] = [];
      probe.listen({ flows: (rows) => opened.push(...rows) });
      const sink = nsPeer(net, ['udp-sink', net.nsIp4, '45001', '3']);
      await sink.ready;
      const [sent] = await Promise.all([hostPeer(['udp-send', net.nsIp4, '45001', '100', '3']).done, sink.done]);
      const localPort = sent[0]?.localPort as number;
      // Pushed at the open's wakeup (no poll timer): the row as it was at the first datagram or later.
      const open = await waitFor(() => opened.find((row) => row.localPort === localPort && row.remotePort === 45001),
        { what: `the flow row of port ${localPort}` });
      expect(open).toMatchObject({ ifindex: net.hostIfindex, proto: 17, localPort, remotePort: 45001 });
      expect(probe.packets()).toBeGreaterThanOrEqual(6);
      expect(probe.readFlows()).toContainEqual(expect.objectContaining({ localPort, txPackets: 3, rxPackets: 3, txBytes: 3 * 128 }));
      const stats = probe.stats();
      expect(stats.interfaces).toEqual([{ name: net.hostIf, ifindex: net.hostIfindex, mode: TC_MODE }]);
      expect(stats.eventsLost).toBe(0);
    } finally {
      probe.close();
      probe.close();
    }
    expect(tcIds(net.hostIfindex).filter((id) => mine.includes(id))).toEqual([]);
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
    const before = tcIds(net.hostIfindex).length;
    await expect(openProbe({ interfaces: ['no-such-if0'], force: { tc: 'tcx' } })).rejects.toMatchObject({ code: 'EVARIANT' });
    await expect(openProbe({ interfaces: [net.hostIf], force: { tc: 'bogus' } })).rejects.toMatchObject({ code: 'EVARIANT' });
    await expect(openProbe({ interfaces: [net.hostIf], force: { dns: 'uprobe:getaddrinfo' } })).rejects.toMatchObject({ code: 'EVARIANT' });
    expect(tcIds(net.hostIfindex).length).toBeLessThanOrEqual(before);
  });

  it('an interface that is gone is ENODEV, said in words', () => {
    const object = loadAddon().openObject('flows');
    try {
      object.load();
      const gone = () =>
        facts.tcx ? object.attachTcx('sm_tc_ingress', 0x7ffffff0, 'ingress') : object.attachClsact('sm_tc_ingress', 0x7ffffff0, 'ingress', 0x534d, 0x534d);
      expect(gone).toThrow(expect.objectContaining({ name: 'NativeError', code: 'ENODEV', message: expect.stringMatching(/interface is gone/) }));
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
