// Container names read from the runtimes' own files, never through a daemon's API (a socket call
// from a root helper would trust the daemon and could hang): Docker's
// /var/lib/docker/containers/<id>/config.v2.json ("Name": "/web") and Podman's (root) container list
// /var/lib/containers/storage/overlay-containers/containers.json ([{id, names: [...]}]). Both are
// root-only, which is why the helper reads them. The id comes from the cgroup path (64 hex digits);
// files are read once per id, at most MAX_FILE bytes, and a file that does not parse names nothing.

import { join } from 'node:path';
import { readFileSync, statSync } from 'node:fs';

const MAX_FILE = 4 * 1024 * 1024;
const MAX_CACHED = 1024;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function readJson(path: string): unknown {
  try {
    if (statSync(path).size > MAX_FILE) return null;
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

/** The runtime and full id of the container a cgroup path names, or null. */
export function containerIdOf(cgroup: string): { runtime: 'docker' | 'podman'; id: string } | null {
  const docker = /(?:^|\/)(?:docker-([0-9a-f]{64})\.scope|docker\/([0-9a-f]{64}))(?:\/|$)/.exec(cgroup);
  if (docker) return { runtime: 'docker', id: (docker[1] ?? docker[2])! };
  const podman = /(?:^|\/)libpod-(?!conmon-)([0-9a-f]{64})(?:\.scope)?(?:\/|$)/.exec(cgroup);
  return podman ? { runtime: 'podman', id: podman[1]! } : null;
}

export class ContainerNames {
  private readonly cache = new Map<string, string | null>();

  constructor(private readonly root = '/') {}

  /** The container's name for a cgroup path, or null (not a container, or its name is not on disk). */
  nameOf(cgroup: string): string | null {
    const container = containerIdOf(cgroup);
    if (container === null) return null;
    const cached = this.cache.get(container.id);
    if (cached !== undefined) return cached;
    const name = container.runtime === 'docker' ? this.docker(container.id) : this.podman(container.id);
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(container.id, name);
    return name;
  }

  private docker(id: string): string | null {
    const config = readJson(join(this.root, 'var/lib/docker/containers', id, 'config.v2.json'));
    const name = typeof config === 'object' && config !== null ? (config as { Name?: unknown }).Name : undefined;
    return typeof name === 'string' && NAME.test(name.replace(/^\//, '')) ? name.replace(/^\//, '') : null;
  }

  private podman(id: string): string | null {
    const list = readJson(join(this.root, 'var/lib/containers/storage/overlay-containers/containers.json'));
    if (!Array.isArray(list)) return null;
    const entry = list.find((item: unknown) => typeof item === 'object' && item !== null && (item as { id?: unknown }).id === id) as { names?: unknown } | undefined;
    const name = Array.isArray(entry?.names) ? entry.names[0] : undefined;
    return typeof name === 'string' && NAME.test(name) ? name : null;
  }
}
