// Which app, not just which process (issue 14), on the real kernel. A parent named smbparent joins a
// cgroup v2 group named like a Docker scope, a systemd service or a Flatpak app scope, and starts a
// child that connects. The child exits right after connecting (gone before /proc could be read, so
// the kernel's exec record must carry its cgroup and parent) or holds on (read from /proc).
// 1. Owner level: the owner objects (real programs, no flow table), the helper's ProcIdentity with
//    lineage, and the engine's processInfoOf: parents, cgroup, app, netns per scenario.
// 2. End to end: the same through `snitchmap watch --json` (real helper, addon and engine).
// The groups live under a directory of this run in the cgroup v2 mount named by /proc/mounts and are
// removed at the end.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, mkdirSync, openSync, mkdtempSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonPath, loadAddon } from '../../native/addon.js';
import type { KernelOwner } from '../../native/api.js';
import { attachOwnerChains, type OwnerChains } from '../../native/owners.js';
import { processInfoOf } from '../../src/core/apps/process-info.js';
import { CgroupPaths, cgroup2Mount } from '../../src/helper/cgroup-paths.js';
import { ProcIdentity, type Identity } from '../../src/helper/proc-identity.js';
import { hostNetns } from '../../src/common/proc-lineage.js';
import type { ConnectionEvent, ProcessInfo } from '../../src/shared/contract.js';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { scaled } from '../support/time-scale.js';
import { waitFor } from '../support/wait-for.js';
import { compileFixture } from './fixtures/owners-harness.js';
import { json, watchLines, type LineWatcher } from './fixtures/watch-lines.js';

const repo = resolve(import.meta.dirname, '../..');
const cli = join(repo, 'bin/snitchmap');
const gate = kernelGate([addonPath(), join(repo, 'dist/src/cli/main.js'), join(repo, 'dist/src/helper/main.js'), join(repo, 'dist/native/index.js')]);
const HEX = 'a3f9c2e1b4d5' + '0123456789abcdef'.repeat(3) + '012';
const dockerScope = (last: string) => `docker-${HEX}${last}.scope`;

interface Started {
  parentPid: number;
  childPid: number;
  localPort: number;
  parentOut: LineWatcher;
  ended(): Promise<void>;
}

describe.skipIf(gate.skip)('apps: parents, cgroup, app and netns of a connection', () => {
  let net: TestNet;
  let server: ChildProcess;
  let hostServer: ChildProcess;
  let port = 0;
  let hostPort = 0;
  let scratch: string;
  let smbparent: string;
  let child: string;
  let cgroupRoot: string;
  let cgroupBase: string;
  const groups: string[] = [];
  const parents: ChildProcess[] = [];

  const listen = async (spawnIt: (args: string[]) => ChildProcess, ip: string): Promise<[ChildProcess, number]> => {
    const proc = spawnIt(['-e', `
      const s = require('node:net').createServer((c) => { c.on('error', () => {}); c.resume(); });
      s.listen(0, '${ip}', () => console.log(s.address().port));`]);
    return [proc, await watchLines(proc).waitFor('server port', (line) => (Number(line) > 0 ? Number(line) : undefined))];
  };

  beforeAll(async () => {
    const mount = cgroup2Mount(readFileSync('/proc/mounts', 'utf8'));
    if (mount === null) throw new Error('no cgroup2 mount in /proc/mounts');
    cgroupBase = `/snitchmap-apps-${process.pid}`;
    cgroupRoot = join(mount, cgroupBase);
    mkdirSync(cgroupRoot);
    scratch = mkdtempSync(join(tmpdir(), 'sm-apps-'));
    smbparent = join(scratch, 'smbparent');
    copyFileSync(compileFixture('apps-parent'), smbparent);
    chmodSync(smbparent, 0o755);
    child = compileFixture('apps-child');
    net = createTestNet('apps');
    [server, port] = await listen((args) => net.spawn(process.execPath, args), net.nsIp4);
    [hostServer, hostPort] = await listen((args) => spawn(process.execPath, args), net.hostIp4);
  });

  afterAll(() => {
    for (const parent of parents) if (parent.exitCode === null) parent.kill('SIGKILL');
    server?.kill('SIGTERM');
    hostServer?.kill('SIGTERM');
    net?.destroy();
    for (const group of groups.reverse()) {
      try {
        rmdirSync(group);
      } catch {
        /* a process still inside (killed above, being reaped) or already gone */
      }
    }
    if (cgroupRoot) rmdirSync(cgroupRoot);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** smbparent in group `name` (inside the test namespace when `inNamespace`), its child connecting. */
  async function start(name: string, mode: 'exit' | 'hold', inNamespace = false): Promise<Started> {
    const group = join(cgroupRoot, name);
    mkdirSync(group);
    groups.push(group);
    const remote = [inNamespace ? net.hostIp4 : net.nsIp4, String(inNamespace ? hostPort : port), mode];
    let parent: ChildProcess;
    if (inNamespace) {
      // `ip netns exec` mounts a fresh /sys (no cgroup2 under it): the group's cgroup.procs goes in
      // as fd 3, reopened through /proc/self/fd. It execs smbparent, so the pid is the same.
      const procs = openSync(join(group, 'cgroup.procs'), 'w');
      parent = net.spawn(smbparent, ['/proc/self/fd/3', child, ...remote], { stdio: ['pipe', 'pipe', 'inherit', procs] });
      closeSync(procs);
    } else {
      parent = spawn(smbparent, [join(group, 'cgroup.procs'), child, ...remote], { stdio: ['pipe', 'pipe', 'inherit'] });
    }
    parents.push(parent);
    const parentOut = watchLines(parent);
    const line = await parentOut.waitFor('child connected', (text) => json(text) as { child: number; localPort: number } | undefined);
    return {
      parentPid: parent.pid!,
      childPid: line.child,
      localPort: line.localPort,
      parentOut,
      ended: async () => {
        parent.stdin?.end();
        if (parent.exitCode === null) await new Promise((r) => parent.once('close', r));
      },
    };
  }

  describe('owner records with the helper identity', () => {
    let chains: OwnerChains;
    const owners: Array<{ owner: KernelOwner; identity: Identity }> = [];

    beforeAll(() => {
      const identity = new ProcIdentity('/proc', { cgroups: new CgroupPaths(), hostNetns: hostNetns() });
      chains = attachOwnerChains({ addon: loadAddon(), force: {}, env: {} });
      // What ProbeRelay does: exec records refresh the identity, owners take it.
      chains.listen({
        processes: (events) => {
          for (const e of events) if (e.kind === 'exec') identity.refresh(e.pid, e.startTime, { ppid: e.ppid, cgroupId: e.cgroupId, netns: e.netns });
        },
        owners: (batch) => {
          for (const owner of batch) owners.push({ owner, identity: identity.lookup(owner.pid, owner.startTime) });
        },
      });
    });
    afterAll(() => chains?.close());

    async function processOf(started: Started): Promise<ProcessInfo> {
      const found = await waitFor(() => {
        chains.poll();
        return owners.find(({ owner }) => owner.pid === started.childPid && owner.how === 'connect' && owner.localPort === started.localPort);
      }, { timeout: scaled(10_000), interval: 20, what: `a connect owner for pid ${started.childPid}` });
      return processInfoOf({ ...found.owner, ...found.identity }, null, (app) => app);
    }

    it.each(['exit', 'hold'] as const)('Docker-like scope, child that %ss: parent smbparent with its pid, the scope, container with the 12-digit id', async (mode) => {
      const scope = dockerScope(mode === 'exit' ? 'a' : 'b');
      const started = await start(scope, mode);
      try {
        const info = await processOf(started);
        expect(info).toMatchObject({ pid: started.childPid, name: 'apps-child' });
        expect(info.parents?.[0]).toEqual({ pid: started.parentPid, name: 'smbparent' });
        expect(info.cgroup).toBe(`${cgroupBase}/${scope}`);
        expect(info.app).toEqual({ kind: 'container', id: HEX.slice(0, 12), runtime: 'docker' });
        expect(info).not.toHaveProperty('netns');
        if (mode === 'hold') expect(info.exe).toBe(child);
      } finally {
        await started.ended();
      }
      if (mode === 'exit') {
        // The child had exited before smbparent reported (it waits for it).
        const report = await started.parentOut.waitFor('parent report', (line) => (json(line)?.parent !== undefined ? json(line) : undefined));
        expect(report).toEqual({ parent: started.parentPid, child: started.childPid, status: 0 });
      }
    });

    it('a child gone before any record was read: cgroup and parent come from the kernel exec record', async () => {
      // The test blocks its own event loop (nothing drains the ring buffer) until smbparent reports
      // that the child exited, so the identity is built from the exec record, not from /proc.
      const scope = dockerScope('e');
      const group = join(cgroupRoot, scope);
      mkdirSync(group);
      groups.push(group);
      const report = join(scratch, 'gone.out');
      const out = openSync(report, 'w');
      const parent = spawn(smbparent, [join(group, 'cgroup.procs'), child, net.nsIp4, String(port), 'exit'], { stdio: ['pipe', out, 'inherit'] });
      closeSync(out);
      parents.push(parent);
      const deadline = Date.now() + scaled(10_000);
      const tick = new Int32Array(new SharedArrayBuffer(4));
      let lines: Array<Record<string, unknown>> = [];
      while (!lines.some((line) => line.parent !== undefined)) {
        if (Date.now() > deadline) throw new Error(`smbparent reported nothing: ${readFileSync(report, 'utf8')}`);
        Atomics.wait(tick, 0, 0, 5);
        lines = readFileSync(report, 'utf8').split('\n').map((line) => json(line)).filter((line) => line !== undefined);
      }
      const connected = lines.find((line) => line.localPort !== undefined) as { child: number; localPort: number };
      try {
        const info = await processOf({ parentPid: parent.pid!, childPid: connected.child, localPort: connected.localPort, parentOut: undefined as never, ended: async () => undefined });
        expect(info.exe).toBeNull();
        expect(info.parents?.[0]).toEqual({ pid: parent.pid, name: 'smbparent' });
        expect(info.cgroup).toBe(`${cgroupBase}/${scope}`);
        expect(info.app).toEqual({ kind: 'container', id: HEX.slice(0, 12), runtime: 'docker' });
      } finally {
        parent.stdin?.end();
        if (parent.exitCode === null) await new Promise((r) => parent.once('close', r));
      }
    });

    it('.service group: systemd app named by the unit', async () => {
      const started = await start('smbtest.service', 'exit');
      try {
        const info = await processOf(started);
        expect(info.parents?.[0]).toEqual({ pid: started.parentPid, name: 'smbparent' });
        expect(info.cgroup).toBe(`${cgroupBase}/smbtest.service`);
        expect(info.app).toEqual({ kind: 'systemd', id: 'smbtest.service', unit: 'smbtest.service' });
      } finally {
        await started.ended();
      }
    });

    it('app-flatpak-…scope group: the Flatpak app id', async () => {
      const started = await start('app-flatpak-org.example.Smb-4242.scope', 'exit');
      try {
        const info = await processOf(started);
        expect(info.parents?.[0]).toEqual({ pid: started.parentPid, name: 'smbparent' });
        expect(info.cgroup).toBe(`${cgroupBase}/app-flatpak-org.example.Smb-4242.scope`);
        expect(info.app).toEqual({ kind: 'flatpak', id: 'org.example.Smb' });
      } finally {
        await started.ended();
      }
    });

    it("a child in another network namespace: netns is that namespace's inode", async () => {
      const started = await start(dockerScope('c'), 'exit', true);
      try {
        const info = await processOf(started);
        expect(info.parents?.[0]).toEqual({ pid: started.parentPid, name: 'smbparent' });
        expect(info.netns).toBe(statSync(`/var/run/netns/${net.ns}`).ino);
        expect(info.app).toMatchObject({ kind: 'container', id: HEX.slice(0, 12) });
      } finally {
        await started.ended();
      }
    });
  });

  describe('through watch --json', () => {
    let watch: ChildProcess;
    let out: LineWatcher;
    // The engine opens a connection within ~1.5 s; a machine loaded by other kernel tests needs more.
    const OPEN_WAIT_MS = scaled(60_000);

    beforeAll(async () => {
      watch = spawn(cli, ['watch', '--json'], { env: { ...process.env, XDG_CONFIG_HOME: scratch } });
      out = watchLines(watch);
      await out.waitFor('hello', (line) => (json(line)?.type === 'hello' ? true : undefined), OPEN_WAIT_MS);
    }, scaled(90_000));
    afterAll(async () => {
      watch?.kill('SIGINT');
      if (watch && watch.exitCode === null) await new Promise((r) => watch.once('close', r));
    });

    it('a short-lived child in a Docker-like scope: the open event names parents, cgroup and the container', async () => {
      const scope = dockerScope('d');
      const started = await start(scope, 'exit');
      try {
        const open = await out.waitFor(`open of ${scope}`, (line) => {
          const message = json(line) as ConnectionEvent | undefined;
          return message?.type === 'connection' && message.local.port === started.localPort && message.remote.port === port ? message : undefined;
        }, OPEN_WAIT_MS);
        expect(open.process).toMatchObject({ pid: started.childPid, name: 'apps-child', cgroup: `${cgroupBase}/${scope}` });
        expect(open.process?.parents?.[0]).toEqual({ pid: started.parentPid, name: 'smbparent' });
        expect(open.process?.app).toEqual({ kind: 'container', id: HEX.slice(0, 12), runtime: 'docker' });
      } finally {
        await started.ended();
      }
    }, scaled(120_000));
  });
});
