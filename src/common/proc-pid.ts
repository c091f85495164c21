// What /proc says about one process: its start time (the PID-reuse check every reader needs), exe
// and cmdline. One parser for the helper, the addon's /proc fallback and the engine's /proc poller.
// Every read tolerates the process vanishing: null, never a throw.

import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Longest cmdline kept, in bytes (the kernel allows far more; the UI shows one line). */
export const MAX_CMDLINE = 4096;

/** Field 22 of a /proc/PID/stat text (clock ticks since boot); null when it does not parse. */
export function startTimeFromStat(stat: string): number | null {
  // comm (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const fields = stat.slice(close + 2).split(' ');
  if (fields.length <= 19) return null;
  const value = Number(fields[19]);
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** Start time of `pid`, or null when the process is gone or unreadable. */
export function readStartTime(procRoot: string, pid: number | string): number | null {
  let stat: string;
  try {
    stat = readFileSync(join(procRoot, String(pid), 'stat'), 'utf8');
  } catch {
    return null;
  }
  return startTimeFromStat(stat);
}

export function readExe(procRoot: string, pid: number | string): string | null {
  try {
    return readlinkSync(join(procRoot, String(pid), 'exe'));
  } catch {
    return null; // kernel threads, a process that exited, or not ours to read
  }
}

/** The command line with NULs as spaces, at most MAX_CMDLINE bytes; null when empty or gone. */
export function readCmdline(procRoot: string, pid: number | string): string | null {
  let raw: Buffer;
  try {
    raw = readFileSync(join(procRoot, String(pid), 'cmdline'));
  } catch {
    return null;
  }
  const text = raw.subarray(0, MAX_CMDLINE).toString('utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  return text === '' ? null : text;
}
