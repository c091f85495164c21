// Process identity (exe, cmdline) from /proc, for owner records. A PID can be reused between the
// kernel event and this read, so every read is pinned to the record's start time (/proc/PID/stat
// field 22): a different start time means another process, and we report null rather than its
// identity. Reads cost ~50-80 µs per PID in Node (docs/kernel-notes.md §6.2), so results are cached per
// (pid, start time); exec keeps the start time but changes exe/cmdline, so exec events refresh it.
// Parents, cgroup and network namespace (issue 14) are read with them. An exec record carries the
// kernel's ppid, cgroup id and netns inode, so a process that exited before the helper read /proc
// still gets its cgroup (id → path) and its parents (the parent usually lives on).

import { readCmdline, readExe, readStartTime } from '../common/proc-pid.js';
import type { ParentProcess } from '../shared/contract.js';
import type { CgroupPaths } from './cgroup-paths.js';
import type { ContainerNames } from './container-names.js';
import { readCgroup, readNamespace, readParents, readStat } from '../common/proc-lineage.js';

export interface Identity {
  exe: string | null;
  cmdline: string | null;
  /** Additive lineage; absent when unknown. `netns` only when it is not the host's. */
  parents?: ParentProcess[];
  cgroup?: string;
  netns?: number;
  /** The container's name when the cgroup names a Docker/Podman container whose name is on disk. */
  container?: string;
}

/** What the kernel's exec record says about the process, used when /proc is already gone. */
export interface ExecFacts {
  ppid: number;
  cgroupId?: string;
  netns?: number | null;
}

const CACHE_LIMIT = 4096;

export interface LineageSources {
  cgroups: Pick<CgroupPaths, 'pathOf'>;
  containers?: Pick<ContainerNames, 'nameOf'>;
  /** The host's network namespace inode (PID 1's); null when unknown (then netns is never set). */
  hostNetns: number | null;
}

export class ProcIdentity {
  private readonly cache = new Map<string, Identity>();

  constructor(
    private readonly procRoot = '/proc',
    private readonly lineage: LineageSources | null = null,
  ) {}

  /** Identity of `pid` if it is still the process that started at `startTime` (null: do not check). */
  lookup(pid: number, startTime: number | null): Identity {
    const key = startTime === null ? null : `${pid}:${startTime}`;
    const cached = key === null ? undefined : this.cache.get(key);
    if (cached) return cached;
    return this.read(pid, startTime);
  }

  /**
   * Re-reads after exec (same start time, new image) so short-lived processes keep a name. When the
   * process is already gone, the kernel's `facts` still give its parents and cgroup, kept for its
   * owner records.
   */
  refresh(pid: number, startTime: number, facts?: ExecFacts): void {
    this.cache.delete(`${pid}:${startTime}`);
    const read = this.read(pid, startTime);
    if (facts === undefined || this.lineage === null) return;
    const gone = read.exe === null && read.cmdline === null;
    // A process that exits while it is read keeps its exe and cmdline (exit_mm comes first) but can
    // lose /proc/PID/ns/net and cgroup between those reads and the last start-time check (seen under
    // load: exe read, netns missing). The kernel's record fills what the read missed.
    const identity: Identity = gone ? { exe: null, cmdline: null } : read;
    this.fillFromFacts(identity, startTime, facts);
    if (gone) this.remember(`${pid}:${startTime}`, identity);
  }

  private read(pid: number, expected: number | null): Identity {
    const none: Identity = { exe: null, cmdline: null };
    const stat = readStat(this.procRoot, pid);
    const before = stat?.startTime ?? null;
    if (stat === null || (expected !== null && before !== expected)) return none;
    const identity: Identity = { exe: readExe(this.procRoot, pid), cmdline: readCmdline(this.procRoot, pid) };
    if (this.lineage !== null) {
      identity.parents = readParents(this.procRoot, stat.ppid, stat.startTime);
      const cgroup = readCgroup(this.procRoot, pid);
      if (cgroup !== null) this.setCgroup(identity, cgroup);
      this.setNetns(identity, readNamespace(this.procRoot, pid));
    }
    // The PID may have been reused while we read: only a start time unchanged across the reads counts.
    if (readStartTime(this.procRoot, pid) !== before) return none;
    this.remember(`${pid}:${before}`, identity);
    return identity;
  }

  /** Sets, from the exec record, each lineage field the identity lacks; only those cost a read. */
  private fillFromFacts(identity: Identity, startTime: number, facts: ExecFacts): void {
    if (identity.parents === undefined || identity.parents.length === 0) identity.parents = readParents(this.procRoot, facts.ppid, startTime);
    if (identity.cgroup === undefined && facts.cgroupId !== undefined) {
      const cgroup = this.lineage!.cgroups.pathOf(facts.cgroupId);
      if (cgroup !== null) this.setCgroup(identity, cgroup);
    }
    if (identity.netns === undefined) this.setNetns(identity, facts.netns ?? null);
  }

  private setCgroup(identity: Omit<Identity, 'exe' | 'cmdline'>, cgroup: string): void {
    identity.cgroup = cgroup;
    const container = this.lineage?.containers?.nameOf(cgroup) ?? null;
    if (container !== null) identity.container = container;
  }

  private setNetns(identity: Omit<Identity, 'exe' | 'cmdline'>, netns: number | null): void {
    const host = this.lineage?.hostNetns ?? null;
    if (netns !== null && host !== null && netns !== host) identity.netns = netns;
  }

  private remember(key: string, identity: Identity): void {
    if (this.cache.size >= CACHE_LIMIT) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, identity);
  }
}
