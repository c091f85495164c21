import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CgroupPaths, cgroup2Mount } from '../../../src/helper/cgroup-paths.js';
import { ProcIdentity } from '../../../src/helper/proc-identity.js';
import { readCgroup, readNamespace, readParents, readStat } from '../../../src/common/proc-lineage.js';

const root = mkdtempSync(join(tmpdir(), 'sm-lineage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const proc = join(root, 'proc');

/** One fake /proc/PID: stat with comm, ppid and start time; optional cgroup file and netns link. */
function fakeProcess(pid: number, comm: string, ppid: number, startTime: number, extra: { cgroup?: string; netns?: number; exe?: string } = {}): void {
  const dir = join(proc, String(pid));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'ns'), { recursive: true });
  const rest = Array.from({ length: 30 }, (_, i) => (i === 1 ? String(ppid) : i === 19 ? String(startTime) : '0'));
  writeFileSync(join(dir, 'stat'), `${pid} (${comm}) ${['S', ...rest.slice(1)].join(' ')}\n`);
  if (extra.cgroup !== undefined) writeFileSync(join(dir, 'cgroup'), `12:cpu:/legacy\n0::${extra.cgroup}\n`);
  if (extra.netns !== undefined) symlinkSync(`net:[${extra.netns}]`, join(dir, 'ns', 'net'));
  if (extra.exe !== undefined) symlinkSync(extra.exe, join(dir, 'exe'));
}

describe('lineage from /proc', () => {
  it('reads comm with parentheses, ppid and start time', () => {
    fakeProcess(10, 'a) (b', 1, 500);
    expect(readStat(proc, 10)).toEqual({ comm: 'a) (b', ppid: 1, startTime: 500 });
    expect(readStat(proc, 11)).toBeNull();
  });

  it('walks parents nearest first, at most 4, stopping at PID 0', () => {
    fakeProcess(1, 'systemd', 0, 1);
    fakeProcess(20, 'cron', 1, 100);
    fakeProcess(21, 'sh', 20, 200);
    fakeProcess(22, 'smbparent', 21, 300);
    fakeProcess(23, 'worker', 22, 400);
    expect(readParents(proc, 22, 400)).toEqual([{ pid: 22, name: 'smbparent' }, { pid: 21, name: 'sh' }, { pid: 20, name: 'cron' }, { pid: 1, name: 'systemd' }]);
    expect(readParents(proc, 21, 250)).toEqual([{ pid: 21, name: 'sh' }, { pid: 20, name: 'cron' }, { pid: 1, name: 'systemd' }]);
  });

  it('never names a process that reused a parent PID (it started after the child)', () => {
    fakeProcess(30, 'newcomer', 1, 9000);
    expect(readParents(proc, 30, 800)).toEqual([]);
    fakeProcess(31, 'child', 30, 700);
    fakeProcess(32, 'grandchild', 31, 8000);
    expect(readParents(proc, 31, 8000)).toEqual([{ pid: 31, name: 'child' }]);
  });

  it('reads the cgroup v2 line and the netns inode', () => {
    fakeProcess(40, 'curl', 1, 10, { cgroup: '/system.slice/docker-ab.scope (deleted)', netns: 4026532001 });
    expect(readCgroup(proc, 40)).toBe('/system.slice/docker-ab.scope');
    expect(readNamespace(proc, 40)).toBe(4026532001);
    expect(readCgroup(proc, 41)).toBeNull();
    expect(readNamespace(proc, 41)).toBeNull();
  });
});

describe('cgroup id to path', () => {
  it('finds the cgroup v2 mount in /proc/mounts text', () => {
    expect(cgroup2Mount('cgroup /sys/fs/cgroup/cpu cgroup rw 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n')).toBe('/sys/fs/cgroup/unified');
    expect(cgroup2Mount('cgroup2 /a\\040b cgroup2 rw 0 0')).toBe('/a b');
    expect(cgroup2Mount('proc /proc proc rw 0 0')).toBeNull();
  });

  it('resolves directory inodes by walking; a new group walks again; bounded walks per second', () => {
    const fs = join(root, 'cgroupfs');
    mkdirSync(join(fs, 'system.slice', 'nginx.service'), { recursive: true });
    let now = 0;
    const paths = new CgroupPaths(fs, () => now);
    const inode = (path: string) => statSync(join(fs, path), { bigint: true }).ino.toString();
    expect(paths.pathOf(inode('system.slice/nginx.service'))).toBe('/system.slice/nginx.service');
    expect(paths.pathOf(inode('.'))).toBe('/');
    mkdirSync(join(fs, 'late.scope'));
    expect(paths.pathOf(inode('late.scope'))).toBe('/late.scope');
    // An id no walk finds is remembered as gone: asking again costs no walk.
    expect(paths.pathOf('1')).toBeNull();
    for (let i = 0; i < 7; i++) mkdirSync(join(fs, `burst-${i}`));
    expect(paths.pathOf(inode('burst-0'))).toBe('/burst-0');
    // Unknown ids use up the rest of this second's 10 walks; then even a real new group waits.
    const fresh = Array.from({ length: 7 }, (_, i) => `9${i}`);
    expect(fresh.map((id) => paths.pathOf(id))).toEqual(Array(7).fill(null));
    mkdirSync(join(fs, 'after-budget'));
    expect(paths.pathOf(inode('after-budget'))).toBeNull();
    now = 1500;
    expect(paths.pathOf(inode('after-budget'))).toBe('/after-budget');
    expect(new CgroupPaths(null).pathOf(inode('late.scope'))).toBeNull();
  });
});

describe('identity with lineage', () => {
  const cgroups = { pathOf: (id: string) => (id === '77' ? '/system.slice/docker-ff.scope' : null) };

  it('adds parents, cgroup and a non-host netns while the process lives', () => {
    fakeProcess(50, 'smbparent', 1, 90);
    fakeProcess(51, 'curl', 50, 95, { cgroup: '/system.slice/x.service', netns: 4026532999, exe: '/usr/bin/curl' });
    fakeProcess(52, 'curl', 50, 96, { cgroup: '/', netns: 4026531840, exe: '/usr/bin/curl' });
    const identity = new ProcIdentity(proc, { cgroups, hostNetns: 4026531840 });
    expect(identity.lookup(51, 95)).toMatchObject({ exe: '/usr/bin/curl', parents: [{ pid: 50, name: 'smbparent' }, { pid: 1, name: 'systemd' }], cgroup: '/system.slice/x.service', netns: 4026532999 });
    expect(identity.lookup(52, 96)).not.toHaveProperty('netns');
    // without lineage sources the identity is the old exe/cmdline pair
    expect(new ProcIdentity(proc).lookup(51, 95)).toEqual({ exe: '/usr/bin/curl', cmdline: null });
  });

  it('keeps the kernel exec facts of a process gone before /proc was read', () => {
    fakeProcess(60, 'smbparent', 1, 90);
    const identity = new ProcIdentity(proc, { cgroups, hostNetns: 4026531840 });
    identity.refresh(61, 120, { ppid: 60, cgroupId: '77', netns: 4026533000 });
    expect(identity.lookup(61, 120)).toEqual({ exe: null, cmdline: null, parents: [{ pid: 60, name: 'smbparent' }, { pid: 1, name: 'systemd' }], cgroup: '/system.slice/docker-ff.scope', netns: 4026533000 });
    expect(identity.lookup(61, 121)).toEqual({ exe: null, cmdline: null });
  });

  it('fills what /proc lost while the process exited mid-read (exe read, ns/net and cgroup gone) from the exec facts', () => {
    fakeProcess(70, 'smbparent', 1, 90);
    fakeProcess(71, 'apps-child', 70, 130, { exe: '/usr/bin/apps-child' });
    const identity = new ProcIdentity(proc, { cgroups, hostNetns: 4026531840 });
    identity.refresh(71, 130, { ppid: 70, cgroupId: '77', netns: 4026533000 });
    expect(identity.lookup(71, 130)).toMatchObject({ exe: '/usr/bin/apps-child', cgroup: '/system.slice/docker-ff.scope', netns: 4026533000 });
    // what /proc did read stays; the kernel's host netns adds nothing
    fakeProcess(72, 'apps-child', 70, 131, { exe: '/usr/bin/apps-child', cgroup: '/x.service' });
    identity.refresh(72, 131, { ppid: 70, cgroupId: '77', netns: 4026531840 });
    const read = identity.lookup(72, 131);
    expect(read).toMatchObject({ cgroup: '/x.service', parents: [{ pid: 70, name: 'smbparent' }, { pid: 1, name: 'systemd' }] });
    expect(read).not.toHaveProperty('netns');
  });
});

describe('host network namespace', () => {
  it("is PID 1's, else the reader's own when PID 1 cannot be read", async () => {
    const { hostNetns } = await import('../../../src/common/proc-lineage.js');
    fakeProcess(1, 'systemd', 0, 1, { netns: 4026531840 });
    expect(hostNetns(proc)).toBe(4026531840);
    const bare = join(root, 'bare-proc');
    mkdirSync(join(bare, 'self', 'ns'), { recursive: true });
    symlinkSync('net:[4026531999]', join(bare, 'self', 'ns', 'net'));
    expect(hostNetns(bare)).toBe(4026531999);
  });
});
