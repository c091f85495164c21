// The /proc fallback for socket owners: /proc/net/{tcp,tcp6,udp,udp6} give every socket's endpoints
// and inode, /proc/PID/fd links give the inode's owners. Used for sockets that predate start when the
// iter/task_file program cannot load, and polled when no BPF variant of a capability attaches. Costly
// (docs/kernel-notes.md §6.2: ~100 ms on a busy machine), hence last in every chain. Unreadable entries
// (processes that exit mid-scan) are skipped, never thrown.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { IPPROTO_TCP, IPPROTO_UDP } from '../src/shared/capture.js';
import { decodeHexAddress, parseProcNetRow } from '../src/common/proc-net.js';
import { readStartTime } from '../src/common/proc-pid.js';
import type { KernelOwner } from './api.js';
import { normalizeEndpoints } from './owners-address.js';

const TABLES: Array<[file: string, proto: number, family: 4 | 6]> = [
  ['tcp', IPPROTO_TCP, 4],
  ['tcp6', IPPROTO_TCP, 6],
  ['udp', IPPROTO_UDP, 4],
  ['udp6', IPPROTO_UDP, 6],
];

interface ProcSocket {
  proto: number;
  family: 4 | 6;
  local: Buffer;
  localPort: number;
  remote: Buffer;
  remotePort: number;
  uid: number;
}

/** A /proc/net hex address as 16 bytes, network order, IPv4 in the first four. */
export function parseProcAddress(hex: string): Buffer | null {
  const bytes = decodeHexAddress(hex);
  if (bytes === null) return null;
  const out = Buffer.alloc(16);
  out.set(bytes);
  return out;
}

/** Rows of one /proc/net table, keyed by socket inode; malformed lines are skipped. */
export function parseProcNetTable(text: string, proto: number, family: 4 | 6): Map<string, ProcSocket> {
  const sockets = new Map<string, ProcSocket>();
  for (const line of text.split('\n').slice(1)) {
    const row = parseProcNetRow(line);
    if (row === null || row.inode === 0) continue;
    const local = Buffer.alloc(16);
    local.set(row.local);
    const remote = Buffer.alloc(16);
    remote.set(row.remote);
    sockets.set(String(row.inode), { proto, family, local, localPort: row.localPort, remote, remotePort: row.remotePort, uid: row.uid });
  }
  return sockets;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function scanProcOwners(procRoot = '/proc', now: () => number = Date.now): KernelOwner[] {
  const sockets = new Map<string, ProcSocket>();
  for (const [file, proto, family] of TABLES) {
    for (const [inode, socket] of parseProcNetTable(readOrEmpty(join(procRoot, 'net', file)), proto, family)) {
      sockets.set(inode, socket);
    }
  }
  const owners: KernelOwner[] = [];
  let pids: string[];
  try {
    pids = readdirSync(procRoot).filter((name) => /^\d+$/.test(name));
  } catch {
    return owners;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(join(procRoot, pid, 'fd'));
    } catch {
      continue;
    }
    const comm = readOrEmpty(join(procRoot, pid, 'comm')).trim();
    const startTime = readStartTime(procRoot, pid);
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(join(procRoot, pid, 'fd', fd));
      } catch {
        continue;
      }
      const socket = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const row = socket ? sockets.get(socket) : undefined;
      if (!row) continue;
      const remoteKnown = row.remotePort !== 0;
      const endpoints = normalizeEndpoints(row.family, row.local, remoteKnown ? row.remote : null);
      owners.push({
        ts: now(),
        how: 'existing',
        cookie: null,
        family: endpoints.family,
        proto: row.proto,
        localIp: endpoints.localIp,
        localPort: row.localPort,
        remoteIp: endpoints.remoteIp,
        remotePort: remoteKnown ? row.remotePort : null,
        pid: Number(pid),
        comm,
        uid: row.uid,
        startTime,
      });
    }
  }
  return owners;
}

/** Mount point of the cgroup-v2 hierarchy (cgroup hooks attach at its root), or null. */
export function cgroupV2Root(mounts: string = readOrEmpty('/proc/mounts')): string | null {
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type] = line.split(' ');
    if (type === 'cgroup2' && mountPoint) return mountPoint;
  }
  return null;
}
