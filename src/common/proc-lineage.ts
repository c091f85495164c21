// Where a process sits: its parents (nearest first), cgroup v2 path and network namespace, read from
// /proc by the helper (root) and, for the user's own processes, by the /proc capture. Parents are checked by start time: a parent always started no later
// than its child, so a PID reused after the parent died (a later start time) ends the chain instead
// of naming another process.

import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ParentProcess } from '../shared/contract.js';

/** Parents kept per process (the "up to 4"): enough for cron → sh → script → curl. */
export const MAX_PARENTS = 4;

export interface ProcStat {
  comm: string;
  ppid: number;
  /** Clock ticks since boot (field 22). */
  startTime: number;
}

/** Fields of /proc/PID/stat we use, or null when the process is gone or the line is not parseable. */
export function readStat(procRoot: string, pid: number): ProcStat | null {
  let stat: string;
  try {
    stat = readFileSync(join(procRoot, String(pid), 'stat'), 'utf8');
  } catch {
    return null;
  }
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  // comm may contain spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  const startTime = Number(fields[19]);
  if (!Number.isSafeInteger(ppid) || !Number.isSafeInteger(startTime)) return null;
  return { comm: stat.slice(open + 1, close), ppid, startTime };
}

/** The cgroup v2 path ("0::/path" line of /proc/PID/cgroup), or null. */
export function readCgroup(procRoot: string, pid: number): string | null {
  let text: string;
  try {
    text = readFileSync(join(procRoot, String(pid), 'cgroup'), 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    // "(deleted)" follows a path whose directory was removed while the process was still in it.
    if (line.startsWith('0::/')) return line.slice(3).replace(/ \(deleted\)$/, '');
  }
  return null;
}

/** Inode of a namespace link ("net:[4026531840]"), or null. */
export function readNamespace(procRoot: string, pid: number | 'self', kind = 'net'): number | null {
  try {
    const match = /^\w+:\[(\d+)\]$/.exec(readlinkSync(join(procRoot, String(pid), 'ns', kind)));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Up to MAX_PARENTS ancestors of a process that started at `childStart`, beginning with `ppid`.
 * Stops at PID 0, at a process that is gone, and at one that started after its supposed child.
 */
export function readParents(procRoot: string, ppid: number, childStart: number): ParentProcess[] {
  const parents: ParentProcess[] = [];
  let pid = ppid;
  let start = childStart;
  while (pid > 0 && parents.length < MAX_PARENTS) {
    const stat = readStat(procRoot, pid);
    if (stat === null || stat.startTime > start) break;
    parents.push({ pid, name: stat.comm });
    pid = stat.ppid;
    start = stat.startTime;
  }
  return parents;
}

/**
 * The host's network namespace: PID 1's, else (PID 1 not readable, as in some sandboxes) the
 * helper's own, which the launcher starts in the host namespace.
 */
export function hostNetns(procRoot = '/proc'): number | null {
  return readNamespace(procRoot, 1) ?? readNamespace(procRoot, 'self');
}
