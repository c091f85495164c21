// Is pkexec there? Debian 12 split it into its own package ("removing it will reduce security
// risks"), so a desktop may well lack it; the app then says so instead of failing to spawn.

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** pkexec on PATH (or the standard location), or null. */
export function findPkexec(pathVariable: string | undefined): string | null {
  const dirs = [...(pathVariable ?? '').split(delimiter).filter((dir) => dir.startsWith('/')), '/usr/bin', '/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'pkexec');
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

