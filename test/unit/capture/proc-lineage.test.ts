import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCgroup as cgroupOf, readParents as parentsOf, readStat as statOf } from '../../../src/common/proc-lineage.js';

const proc = mkdtempSync(join(tmpdir(), 'sm-proc-lineage-'));
afterAll(() => rmSync(proc, { recursive: true, force: true }));

function fakeProcess(pid: number, comm: string, ppid: number, startTime: number, cgroup?: string): void {
  mkdirSync(join(proc, String(pid)), { recursive: true });
  const rest = Array.from({ length: 30 }, (_, i) => (i === 1 ? String(ppid) : i === 19 ? String(startTime) : '0'));
  writeFileSync(join(proc, String(pid), 'stat'), `${pid} (${comm}) ${['S', ...rest.slice(1)].join(' ')}\n`);
  if (cgroup !== undefined) writeFileSync(join(proc, String(pid), 'cgroup'), cgroup);
}

describe('/proc lineage of the unprivileged source', () => {
  it('walks parents by start time and reads the cgroup v2 line', () => {
    fakeProcess(1, 'systemd', 0, 1);
    fakeProcess(10, 'a (b)', 1, 50);
    fakeProcess(11, 'late', 10, 9_999);
    fakeProcess(12, 'curl', 11, 100, '1:name=systemd:/x\n0::/user.slice/app-flatpak-org.example.A-1.scope\n');
    expect(statOf(proc, 10)).toEqual({ comm: 'a (b)', ppid: 1, startTime: 50 });
    expect(parentsOf(proc, 10, 60)).toEqual([{ pid: 10, name: 'a (b)' }, { pid: 1, name: 'systemd' }]);
    // pid 11 started after pid 12: a reused PID, not 12's parent
    expect(parentsOf(proc, 11, 100)).toEqual([]);
    expect(cgroupOf(proc, 12)).toBe('/user.slice/app-flatpak-org.example.A-1.scope');
    expect(cgroupOf(proc, 10)).toBeNull();
    expect(statOf(proc, 99)).toBeNull();
  });
});
