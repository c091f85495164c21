// Parents and cgroup of a process for the unprivileged /proc source, by the rules the root helper
// uses (src/helper/proc-lineage.ts; the folders may not import each other): parents nearest first, at
// most 4, each started no later than its child (a reused PID ends the chain); the cgroup v2 path from
// the "0::" line of /proc/PID/cgroup. Only what this user may read.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParentProcess } from '../../shared/contract.js';

const MAX_PARENTS = 4;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** comm, ppid and start time from /proc/PID/stat, or null. */
export function statOf(procRoot: string, pid: number): { comm: string; ppid: number; startTime: number } | null {
  const stat = read(join(procRoot, String(pid), 'stat'));
  if (stat === null) return null;
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const fields = stat.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  const startTime = Number(fields[19]);
  return Number.isSafeInteger(ppid) && Number.isSafeInteger(startTime) ? { comm: stat.slice(open + 1, close), ppid, startTime } : null;
}

export function parentsOf(procRoot: string, ppid: number, childStart: number): ParentProcess[] {
  const parents: ParentProcess[] = [];
  let pid = ppid;
  let start = childStart;
  while (pid > 0 && parents.length < MAX_PARENTS) {
    const stat = statOf(procRoot, pid);
    if (stat === null || stat.startTime > start) break;
    parents.push({ pid, name: stat.comm });
    pid = stat.ppid;
    start = stat.startTime;
  }
  return parents;
}

export function cgroupOf(procRoot: string, pid: number): string | null {
  const text = read(join(procRoot, String(pid), 'cgroup'));
  const line = text?.split('\n').find((entry) => entry.startsWith('0::/'));
  return line === undefined ? null : line.slice(3).replace(/ \(deleted\)$/, '');
}
