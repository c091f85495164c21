// Which process holds which socket, from /proc/PID/fd links ("socket:[INODE]"). Only processes this
// user may inspect are scanned (others' fd directories are unreadable without root anyway). A full
// scan costs ~6-7 µs per fd in Node (docs/kernel-notes.md §6.2), so callers scan only when a connection
// with an unknown inode appears.

import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCmdline, readExe, readStartTime } from '../../common/proc-pid.js';
import type { ParentProcess } from '../../shared/contract.js';
import { readCgroup, readParents, readStat } from '../../common/proc-lineage.js';

export interface ProcProcess {
  pid: number;
  comm: string;
  uid: number;
  startTime: number | null;
  exe: string | null;
  cmdline: string | null;
  /** Additive lineage (issue 14), absent when unreadable. */
  parents?: ParentProcess[];
  cgroup?: string;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function describe(procRoot: string, pid: number, uid: number): ProcProcess {
  const comm = (readText(join(procRoot, String(pid), 'comm')) ?? '').trim();
  const info: ProcProcess = { pid, comm, uid, startTime: readStartTime(procRoot, pid), exe: readExe(procRoot, pid), cmdline: readCmdline(procRoot, pid) };
  const stat = readStat(procRoot, pid);
  if (stat !== null) info.parents = readParents(procRoot, stat.ppid, stat.startTime);
  const cgroup = readCgroup(procRoot, pid);
  if (cgroup !== null) info.cgroup = cgroup;
  return info;
}

function socketInodes(procRoot: string, pid: number): number[] {
  const fdDir = join(procRoot, String(pid), 'fd');
  let fds: string[];
  try {
    fds = readdirSync(fdDir);
  } catch {
    return [];
  }
  const inodes: number[] = [];
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(join(fdDir, fd));
    } catch {
      continue;
    }
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1] !== undefined) inodes.push(Number(match[1]));
  }
  return inodes;
}

/** Socket inode → owning process, for processes owned by `uid` (every process when uid is 0). */
export function scanSocketOwners(procRoot: string, uid: number): Map<number, ProcProcess> {
  const owners = new Map<number, ProcProcess>();
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return owners;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let owner: number;
    try {
      owner = statSync(join(procRoot, entry)).uid;
    } catch {
      continue;
    }
    if (uid !== 0 && owner !== uid) continue;
    const inodes = socketInodes(procRoot, pid);
    if (inodes.length === 0) continue;
    const info = describe(procRoot, pid, owner);
    for (const inode of inodes) if (!owners.has(inode)) owners.set(inode, info);
  }
  return owners;
}
