// Process identity (exe, cmdline) from /proc, for owner records. A PID can be reused between the
// kernel event and this read, so every read is pinned to the record's start time (/proc/PID/stat
// field 22): a different start time means another process, and we report null rather than its
// identity. Reads cost ~50-80 µs per PID in Node (docs/kernel-notes.md §6.2), so results are cached per
// (pid, start time); exec keeps the start time but changes exe/cmdline, so exec events refresh it.

import { readCmdline, readExe, readStartTime } from '../common/proc-pid.js';

export interface Identity {
  exe: string | null;
  cmdline: string | null;
}

const CACHE_LIMIT = 4096;

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
