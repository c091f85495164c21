// Waiting for a process the test did not spawn itself (a helper started by the CLI) to end.

import { readFileSync } from 'node:fs';
import { waitFor } from './wait-for.js';

/** Exited: gone, or a zombie waiting for a (possibly slow) init to reap it. */
export function hasExited(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Resolves with how long `pid` took to exit; rejects once it ran `ms` longer. */
export async function exitedWithin(pid: number, ms: number): Promise<number> {
  const started = Date.now();
  await waitFor(() => hasExited(pid), { timeout: ms, what: `pid ${pid} to exit` });
  return Date.now() - started;
}
