// The unprivileged capture source: polls /proc/net/{tcp,tcp6,udp,udp6} about once a second and
// attributes sockets to processes through /proc/PID/fd (the bandwhich model, docs/kernel-notes.md §6.1).
// It sees only what exists at poll time, only this user's processes, and no traffic at all.

import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import type { CaptureHello, FlowEnd, FlowKey, FlowSample, OwnerRecord } from '../../shared/capture.js';
import { IPPROTO_TCP, IPPROTO_UDP } from '../../shared/capture.js';
import { PROBE_CAPABILITIES, type Probes } from '../../shared/contract.js';
import { TCP_LISTEN, isConnection, parseProcNet, type ProcSocket } from './proc-net.js';
import { scanSocketOwners, type ProcProcess } from './proc-processes.js';
import type { CaptureSink, CaptureSource } from './source.js';

export const PROC_LIMITATIONS = [
  'proc mode: connections are polled from /proc once a second, so short-lived connections between polls are missed',
  "other users' processes are not attributed",
  'no byte or packet counts',
  'no DNS names (host is always null)',
];

const TABLES: Array<{ file: string; proto: 'tcp' | 'udp' }> = [
  { file: 'tcp', proto: 'tcp' },
  { file: 'tcp6', proto: 'tcp' },
  { file: 'udp', proto: 'udp' },
  { file: 'udp6', proto: 'udp' },
];

export interface ProcSourceOptions {
  procRoot?: string;
  intervalMs?: number;
  /** Whose processes to attribute (default: this process's uid). */
  uid?: number;
  now?: () => number;
}

interface Tracked {
  sample: FlowSample;
  inode: number;
}

function keyOf(socket: ProcSocket): string {
  return `${socket.proto}|${socket.localIp}|${socket.localPort}|${socket.remoteIp}|${socket.remotePort}|${socket.inode}`;
}

function flowKeyOf(sample: FlowSample): FlowKey {
  const { ifindex, family, proto, localIp, localPort, remoteIp, remotePort } = sample;
  return { ifindex, family, proto, localIp, localPort, remoteIp, remotePort };
}

export class ProcSource implements CaptureSource {
  readonly kind = 'proc' as const;
  private readonly procRoot: string;
  private readonly intervalMs: number;
  private readonly uid: number;
  private readonly now: () => number;
  private sink: CaptureSink | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly tracked = new Map<string, Tracked>();
  private owners = new Map<number, ProcProcess>();
  private readonly announced = new Set<number>();
  private readonly searched = new Set<number>();
  private parseErrors = 0;

  constructor(options: ProcSourceOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
    this.intervalMs = options.intervalMs ?? 1000;
    this.uid = options.uid ?? process.getuid?.() ?? 0;
    this.now = options.now ?? Date.now;
  }

  async start(sink: CaptureSink): Promise<CaptureHello> {
    readFileSync(join(this.procRoot, 'net', 'tcp'));
    this.sink = sink;
    this.poll();
    this.schedule();
    const probes = Object.fromEntries(PROBE_CAPABILITIES.map((cap) => [cap, null])) as Probes;
    // Root (a failed helper's fallback) reads every process's fds: only users have that blind spot.
    const limitations = PROC_LIMITATIONS.filter((text) => this.uid !== 0 || !text.startsWith("other users'"));
    return { capture: 'proc', probes, limitations, kernel: release() };
  }

  async pause(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  async resume(): Promise<void> {
    if (this.sink !== null && this.timer === null) this.schedule();
  }

  async stop(): Promise<void> {
    await this.pause();
    this.sink = null;
  }

  private schedule(): void {
    this.timer = setInterval(() => this.poll(), this.intervalMs);
  }

  private readSockets(): ProcSocket[] {
    const sockets: ProcSocket[] = [];
    for (const table of TABLES) {
      let text: string;
      try {
        text = readFileSync(join(this.procRoot, 'net', table.file), 'utf8');
      } catch {
        continue; // tcp6/udp6 are absent when IPv6 is disabled
      }
      const parsed = parseProcNet(text, table.proto);
      this.parseErrors += parsed.errors;
      sockets.push(...parsed.sockets);
    }
    return sockets;
  }

  private poll(): void {
    const sink = this.sink;
    if (sink === null) return;
    const ts = this.now();
    const sockets = this.readSockets();
    const listening = new Set(sockets.filter((s) => s.proto === 'tcp' && s.state === TCP_LISTEN).map((s) => s.localPort));
    const connections = sockets.filter(isConnection);
    const mine = connections.filter((s) => s.inode !== 0 && (this.uid === 0 || s.uid === this.uid));
    // Rescan only for inodes not looked for yet: a socket whose holder we cannot see (another
    // process of ours that passed it on and exited, a kernel socket) must not cost a scan per poll.
    const unknown = mine.filter((s) => !this.owners.has(s.inode) && !this.searched.has(s.inode));
    if (unknown.length > 0) {
      this.owners = scanSocketOwners(this.procRoot, this.uid);
      for (const socket of unknown) this.searched.add(socket.inode);
    }

    const present = new Set<string>();
    const newOwners: OwnerRecord[] = [];
    for (const socket of connections) {
      const key = keyOf(socket);
      present.add(key);
      if (!this.tracked.has(key)) this.tracked.set(key, { sample: this.sampleOf(socket, ts, listening), inode: socket.inode });
      const owner = this.owners.get(socket.inode);
      if (owner !== undefined && !this.announced.has(socket.inode)) {
        this.announced.add(socket.inode);
        newOwners.push(this.ownerOf(socket, owner, ts));
      }
    }
    const ends: FlowEnd[] = [];
    for (const [key, entry] of this.tracked) {
      if (present.has(key)) continue;
      this.tracked.delete(key);
      this.announced.delete(entry.inode);
      this.searched.delete(entry.inode);
      ends.push({ ...flowKeyOf(entry.sample), ts, reason: 'close' });
    }
    // Owners before flows, so the engine attributes each new flow on sight.
    if (newOwners.length > 0) sink.owners(newOwners);
    sink.flows([...this.tracked.values()].map((entry) => entry.sample), ts);
    if (ends.length > 0) sink.flowEnds(ends);
    sink.stats({ ts, eventsLost: 0, flowsEvicted: 0, parseErrors: this.parseErrors, interfaces: [] });
  }

  private sampleOf(socket: ProcSocket, ts: number, listening: Set<number>): FlowSample {
    const inbound = socket.proto === 'tcp' && listening.has(socket.localPort);
    return {
      ifindex: 0,
      family: socket.family,
      proto: socket.proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP,
      localIp: socket.localIp,
      localPort: socket.localPort,
      remoteIp: socket.remoteIp,
      remotePort: socket.remotePort,
      txBytes: 0,
      rxBytes: 0,
      txPackets: 0,
      rxPackets: 0,
      firstSeen: ts,
      tcpFlags: 0,
      initiator: socket.proto === 'udp' ? 'local' : inbound ? 'remote' : 'local',
    };
  }

  private ownerOf(socket: ProcSocket, owner: ProcProcess, ts: number): OwnerRecord {
    return {
      ts,
      how: 'existing',
      cookie: null,
      family: socket.family,
      proto: socket.proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP,
      localIp: socket.localIp,
      localPort: socket.localPort,
      remoteIp: socket.remoteIp,
      remotePort: socket.remotePort,
      pid: owner.pid,
      comm: owner.comm,
      uid: owner.uid,
      startTime: owner.startTime,
      exe: owner.exe,
      cmdline: owner.cmdline,
      ...(owner.parents !== undefined ? { parents: owner.parents } : {}),
      ...(owner.cgroup !== undefined ? { cgroup: owner.cgroup } : {}),
    };
  }
}
