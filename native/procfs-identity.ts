// exe and cmdline of a socket owner, read from /proc while the process lives — only if /proc/PID is
// still the process the kernel saw: same start time (/proc/PID/stat field 22, the value the owner
// hooks and exec/exit events carry). After exit, or once the pid is reused, both are null, never
// another process's. Unreadable exe (kernel threads, other users without CAP_SYS_PTRACE) is null too.

import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startTimeFromStat } from './procfs.js';

export interface ProcessIdentity {
  exe: string | null;
  cmdline: string | null;
}

const NONE: ProcessIdentity = { exe: null, cmdline: null };

function attempt<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/**
 * `startTime` null (the hook could not read the task) accepts whatever lives at the pid now; the
 * exec/exit events let the caller avoid that window.
 */
export function readProcessIdentity(pid: number, startTime: number | null, procRoot = '/proc'): ProcessIdentity {
  const dir = join(procRoot, String(pid));
  const before = attempt(() => startTimeFromStat(readFileSync(join(dir, 'stat'), 'utf8')));
  if (before === null || (startTime !== null && before !== startTime)) return NONE;
  const exe = attempt(() => readlinkSync(join(dir, 'exe')));
  const raw = attempt(() => readFileSync(join(dir, 'cmdline')));
  // Re-check: the process may have exited and its pid been reused while we read.
  const after = attempt(() => startTimeFromStat(readFileSync(join(dir, 'stat'), 'utf8')));
  if (after !== before) return NONE;
  const cmdline = raw && raw.length > 0 ? raw.toString('utf8').replace(/\0+$/, '').split('\0').join(' ') : null;
  return { exe: exe?.replace(/ \(deleted\)$/, '') ?? null, cmdline };
}
