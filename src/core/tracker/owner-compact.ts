// Owner records arrive as JSON lines, so every record carries its own copy of its process's
// strings (cgroup path, command line, exe, parents), and the owner index holds records for up to
// 65,536 sockets. What it keeps per socket is only the socket's part (endpoints, cookie, how, when);
// the process part is one object per distinct process, shared by all of its sockets (at 50,000
// sockets from 50 processes: 50 objects, measured in bench/core-engine.mjs).
import type { OwnerHow, OwnerRecord } from '../../shared/capture.js';
import type { OwnerProcess } from '../apps/process-info.js';

/** An owner record as the index keeps it: the socket's own fields and its shared process. */
export interface SocketOwner {
  ts: number;
  how: OwnerHow;
  cookie: string | null;
  proto: number;
  localIp: string;
  localPort: number;
  remoteIp: string | null;
  remotePort: number | null;
  process: OwnerProcess;
  /**
   * The key the owner index files it under, set there: a connection on the same tuple uses this very
   * string as its own key (one copy instead of two, ~56 bytes a connection at 50,000).
   */
  claim: string | null;
}

/** Distinct processes (and local addresses) kept; when full it starts over (sharing is lost, nothing else). */
const MAX_SHARED = 4_096;

function processOf(record: OwnerRecord): OwnerProcess {
  const process: OwnerProcess = {
    pid: record.pid,
    comm: record.comm,
    uid: record.uid,
    startTime: record.startTime,
    exe: record.exe,
    cmdline: record.cmdline,
  };
  if (record.parents !== undefined) process.parents = record.parents;
  if (record.cgroup !== undefined) process.cgroup = record.cgroup;
  if (record.netns !== undefined) process.netns = record.netns;
  if (record.container !== undefined) process.container = record.container;
  return process;
}

export class OwnerCompactor {
  private readonly processes = new Map<string, OwnerProcess>();
  private readonly addresses = new Map<string, string>();

  private shared<T>(map: Map<string, T>, key: string, value: T): T {
    const known = map.get(key);
    if (known !== undefined) return known;
    if (map.size >= MAX_SHARED) map.clear();
    map.set(key, value);
    return value;
  }

  /** The record's socket part, with its process (and local address) shared with earlier records. */
  compact(record: OwnerRecord): SocketOwner {
    const process = processOf(record);
    // JSON tells apart everything processInfoOf reads (absent, null and junk fields alike).
    const processKey = JSON.stringify([process.pid, process.startTime, process.uid, process.comm, process.exe, process.cmdline, process.parents, process.cgroup, process.netns, process.container]);
    return {
      ts: record.ts,
      how: record.how,
      cookie: record.cookie,
      proto: record.proto,
      localIp: this.shared(this.addresses, record.localIp, record.localIp),
      localPort: record.localPort,
      remoteIp: record.remoteIp,
      remotePort: record.remotePort,
      process: this.shared(this.processes, processKey, process),
      claim: null,
    };
  }
}
