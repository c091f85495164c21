// Process identity (exe, cmdline) from /proc, for owner records. A PID can be reused between the
// kernel event and this read, so every read is pinned to the record's start time (/proc/PID/stat
// field 22): a different start time means another process, and we report null rather than its
// identity. Reads cost ~50-80 µs per PID in Node (docs/kernel-notes.md §6.2), so results are cached per
// (pid, start time); exec keeps the start time but changes exe/cmdline, so exec events refresh it.

import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface Identity {
  exe: string | null;
  cmdline: string | null;
}

/** Longest cmdline kept (the kernel allows far more; the UI shows one line). */
export const MAX_CMDLINE = 4096;
const CACHE_LIMIT = 4096;

/** Field 22 of /proc/PID/stat (clock ticks since boot), or null when the process is gone. */
export function readStartTime(procRoot: string, pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(join(procRoot, String(pid), 'stat'), 'utf8');
  } catch {
    return null;
  }
  // comm may contain spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const value = Number(fields[19]);
  return Number.isSafeInteger(value) ? value : null;
}

function readExe(procRoot: string, pid: number): string | null {
  try {
    return readlinkSync(join(procRoot, String(pid), 'exe'));
  } catch {
    return null;
  }
}

function readCmdline(procRoot: string, pid: number): string | null {
  let raw: Buffer;
  try {
    raw = readFileSync(join(procRoot, String(pid), 'cmdline'));
  } catch {
    return null;
  }
  const text = raw.subarray(0, MAX_CMDLINE).toString('utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  return text === '' ? null : text;
}

export class ProcIdentity {
  private readonly cache = new Map<string, Identity>();

  constructor(private readonly procRoot = '/proc') {}

  /** Identity of `pid` if it is still the process that started at `startTime` (null: do not check). */
  lookup(pid: number, startTime: number | null): Identity {
    const key = startTime === null ? null : `${pid}:${startTime}`;
    const cached = key === null ? undefined : this.cache.get(key);
    if (cached) return cached;
    return this.read(pid, startTime);
  }

  /** Re-reads after exec (same start time, new image) so short-lived processes keep a name. */
  refresh(pid: number, startTime: number): void {
    this.cache.delete(`${pid}:${startTime}`);
    this.read(pid, startTime);
  }

  private read(pid: number, expected: number | null): Identity {
    const none: Identity = { exe: null, cmdline: null };
    const before = readStartTime(this.procRoot, pid);
    if (before === null || (expected !== null && before !== expected)) return none;
    const identity: Identity = { exe: readExe(this.procRoot, pid), cmdline: readCmdline(this.procRoot, pid) };
    // The PID may have been reused while we read: only a start time unchanged across the reads counts.
    if (readStartTime(this.procRoot, pid) !== before) return none;
    this.remember(`${pid}:${before}`, identity);
    return identity;
  }

  private remember(key: string, identity: Identity): void {
    if (this.cache.size >= CACHE_LIMIT) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, identity);
  }
}
