// cgroup v2 id → path, for processes gone before /proc/PID/cgroup could be read (the kernel's exec
// record carries the id). On cgroup v2 the id is the inode number of the group's directory in
// cgroupfs, so a walk of the mount finds it. The mount point is read from /proc/mounts (it is
// /sys/fs/cgroup on most systems, /sys/fs/cgroup/unified on hybrid ones). Found ids are cached (ids
// are never reused while the kernel runs). An unknown id walks again (its group is usually new), ids
// a walk did not find are remembered as gone, and walks are bounded in directories and per second.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MAX_DIRECTORIES = 20_000;
const MAX_CACHED = 8192;
/** Walks per second at most: each stats every group (~1 ms per hundred). */
const MAX_WALKS_PER_SECOND = 10;
const MAX_MISSING = 4096;

/** The cgroup2 mount point named in a /proc/mounts text, or null. */
export function cgroup2Mount(mounts: string): string | null {
  for (const line of mounts.split('\n')) {
    const fields = line.split(' ');
    // /proc/mounts escapes spaces in paths as \040.
    if (fields[2] === 'cgroup2' && fields[1] !== undefined) return fields[1].replace(/\\040/g, ' ');
  }
  return null;
}

export class CgroupPaths {
  private readonly known = new Map<string, string>();
  private readonly missing = new Set<string>();
  private walks: number[] = [];
  private readonly root: string | null;

  constructor(root?: string | null, private readonly now: () => number = Date.now) {
    if (root !== undefined) this.root = root;
    else {
      let mounts = '';
      try {
        mounts = readFileSync('/proc/mounts', 'utf8');
      } catch {
        // no /proc: ids stay unresolved
      }
      this.root = cgroup2Mount(mounts);
    }
  }

  /** The path of cgroup `id` (decimal string) relative to the cgroup v2 root ("/" for the root). */
  pathOf(id: string): string | null {
    const cached = this.known.get(id);
    if (cached !== undefined) return cached;
    if (this.root === null || this.missing.has(id)) return null;
    const now = this.now();
    this.walks = this.walks.filter((at) => now - at < 1000);
    if (this.walks.length >= MAX_WALKS_PER_SECOND) return null;
    this.walks.push(now);
    this.walk(this.root);
    const found = this.known.get(id);
    if (found !== undefined) return found;
    if (this.missing.size >= MAX_MISSING) this.missing.clear();
    this.missing.add(id);
    return null;
  }

  private walk(root: string): void {
    const pending: string[] = ['/'];
    let seen = 0;
    while (pending.length > 0 && seen < MAX_DIRECTORIES) {
      const relative = pending.pop()!;
      const absolute = relative === '/' ? root : join(root, relative);
      seen++;
      try {
        this.remember(statSync(absolute, { bigint: true }).ino.toString(), relative);
        for (const entry of readdirSync(absolute, { withFileTypes: true })) {
          if (entry.isDirectory()) pending.push(relative === '/' ? `/${entry.name}` : `${relative}/${entry.name}`);
        }
      } catch {
        // removed while we walked
      }
    }
  }

  private remember(id: string, path: string): void {
    if (this.known.size >= MAX_CACHED && !this.known.has(id)) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
    this.known.set(id, path);
  }
}
