// Nothing of ours stays attached: after close(), after SIGKILL of the owning process (tcx links die
// with it), and on the clsact fallback, where a killed run's filters persist until the next start
// removes them — without touching anyone else's filter on the same hook.
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonPath, loadAddon } from '../../native/addon.js';
import { CLSACT_HANDLE, CLSACT_PRIORITY } from '../../native/flows-attach.js';
import { FlowCapture } from '../../native/flows.js';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { kernelFacts } from '../support/kernel-facts.js';

/** A classic-BPF cls_bpf filter ('accept all'): somebody else's, with no eBPF program name. */
const FOREIGN = '1,6 0 0 4294967295,';
const HOLDER = fileURLToPath(new URL('./fixtures/flows-holder.mjs', import.meta.url));
const facts = kernelFacts();
const TC_MODE = facts.tcx ? 'tcx' : 'clsact'; // what 'auto' picks on this kernel
const gate = kernelGate([addonPath(), fileURLToPath(new URL('../../dist/native/flows.js', import.meta.url))]);

function tcFilters(dev: string): string {
  return ['ingress', 'egress'].map((hook) => execFileSync('tc', ['filter', 'show', 'dev', dev, hook], { encoding: 'utf8' })).join('');
}

// Other engineers' kernel tests may run openProbe() concurrently, attaching their own sm_tc_* programs
// to every interface, ours included: so "ours" means these program ids, not these names.
function attachedIds(net: TestNet): Set<number> {
  const addon = loadAddon();
  const tcx = facts.tcx ? [...addon.queryTcx(net.hostIfindex, 'ingress'), ...addon.queryTcx(net.hostIfindex, 'egress')].map((entry) => entry.progId) : [];
  const listed = `${tcFilters(net.hostIf)}\n${execFileSync('bpftool', ['net', 'show', 'dev', net.hostIf], { encoding: 'utf8' })}`;
  const fromText = [...listed.matchAll(/\bid (\d+)/g)].map((match) => Number(match[1]));
  return new Set([...tcx, ...fromText]);
}

function expectNoneAttached(net: TestNet, ids: number[]): void {
  expect(ids.length).toBeGreaterThan(0);
  const attached = attachedIds(net);
  expect(ids.filter((id) => attached.has(id))).toEqual([]);
}

function expectAttached(net: TestNet, ids: number[], programs = 2): void {
  const attached = attachedIds(net);
  expect(ids.filter((id) => attached.has(id))).toHaveLength(programs);
}

async function startHolder(dev: string, mode: string, then = 'hold'): Promise<{ pid: number; mode: string; ids: number[]; kill: () => Promise<void>; exited: Promise<void> }> {
  const child = spawn(process.execPath, [HOLDER, dev, mode, then], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
  const info = JSON.parse(line) as { mode: string; pid: number; ids: number[] };
  return {
    ...info,
    exited,
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

describe.skipIf(gate.skip)('flows: cleanup', () => {
  let net: TestNet;

  beforeAll(() => {
    net = createTestNet('fc');
  });
  afterAll(() => {
    net?.destroy();
  });

  it(`close() leaves nothing attached (auto: ${TC_MODE})`, () => {
    const capture = FlowCapture.open({ interfaces: [net.hostIf] });
    const ids = capture.programIds();
    expect(capture.tcMode).toBe(TC_MODE);
    expectAttached(net, ids);
    capture.close();
    capture.close();
    expectNoneAttached(net, ids);
  });

  it('close() leaves nothing attached (clsact)', () => {
    const capture = FlowCapture.open({ interfaces: [net.hostIf], tcMode: 'clsact' });
    const ids = capture.programIds();
    expect(capture.tcMode).toBe('clsact');
    expect(tcFilters(net.hostIf)).toMatch(/sm_tc_ingress/);
    expectAttached(net, ids);
    capture.close();
    expectNoneAttached(net, ids);
  });

  if (facts.tcx) {
    it('SIGKILL of the owning process leaves nothing attached (tcx)', async () => {
      const holder = await startHolder(net.hostIf, 'auto');
      expect(holder.mode).toBe('tcx');
      expectAttached(net, holder.ids);
      await holder.kill();
      expectNoneAttached(net, holder.ids);
    });
  } else {
    it(`tcx forced on ${facts.release} (no tcx before 6.6) fails and leaves nothing attached`, () => {
      expect(() => FlowCapture.open({ interfaces: [net.hostIf], tcMode: 'tcx' })).toThrow(/attached to no interface/);
      expect(tcFilters(net.hostIf)).not.toMatch(/sm_tc_/);
    });
  }

  it('clsact: exiting without close() still removes our filters (the addon env cleanup hook)', async () => {
    const holder = await startHolder(net.hostIf, 'clsact', 'exit');
    expect(holder.mode).toBe('clsact');
    await holder.exited;
    expectNoneAttached(net, holder.ids);
  });

  it('clsact: a killed run leaves filters; the next start removes them and never touches a foreign filter', async () => {
    // A foreign cls_bpf filter on the same hook, at another priority, must survive everything below.
    execFileSync('tc', ['qdisc', 'replace', 'dev', net.hostIf, 'clsact']);
    execFileSync('tc', ['filter', 'add', 'dev', net.hostIf, 'ingress', 'prio', '7', 'handle', '7', 'bpf', 'bytecode', FOREIGN]);
    const holder = await startHolder(net.hostIf, 'clsact');
    expect(holder.mode).toBe('clsact');
    await holder.kill();
    expectAttached(net, holder.ids); // the kernel keeps netlink filters after their owner died
    const capture = FlowCapture.open({ interfaces: [net.hostIf], tcMode: 'clsact' });
    const ids = capture.programIds();
    expectNoneAttached(net, holder.ids); // the stale ones are gone
    expectAttached(net, ids);
    capture.close();
    expectNoneAttached(net, ids);
    expect(execFileSync('tc', ['filter', 'show', 'dev', net.hostIf, 'ingress'], { encoding: 'utf8' })).toMatch(/pref 7 bpf .*\n.*bytecode/);
  });

  it('clsact: a foreign filter squatting on our handle/priority is left alone (we fail instead)', () => {
    execFileSync('tc', ['filter', 'add', 'dev', net.hostIf, 'egress', 'prio', String(CLSACT_PRIORITY), 'handle', `0x${CLSACT_HANDLE.toString(16)}`, 'bpf', 'bytecode', FOREIGN]);
    expect(() => FlowCapture.open({ interfaces: [net.hostIf], tcMode: 'clsact' })).toThrow(/attached to no interface/);
    expect(execFileSync('tc', ['filter', 'show', 'dev', net.hostIf, 'egress'], { encoding: 'utf8' })).toMatch(/bytecode/);
    expect(execFileSync('tc', ['filter', 'show', 'dev', net.hostIf, 'ingress'], { encoding: 'utf8' })).not.toMatch(/pref 21325/);
  });
});
