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

/** Where Debian and Fedora install pkexec: looked in even when PATH (a desktop file's, a sudo's) lacks them. */
export const STANDARD_PKEXEC_DIRS: readonly string[] = ['/usr/bin', '/bin'];

/** pkexec on PATH (absolute entries only) or in `standardDirs`, or null. Tests inject their own dirs. */
export function findPkexec(pathVariable: string | undefined, standardDirs: readonly string[] = STANDARD_PKEXEC_DIRS): string | null {
  const dirs = [...(pathVariable ?? '').split(delimiter).filter((dir) => dir.startsWith('/')), ...standardDirs];
  for (const dir of dirs) {
    const candidate = join(dir, 'pkexec');
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

