// The connection list's hierarchy, Little Snitch Mini style: application (its processes listed with
// it; the process itself when the engine names no app) → host (looked-up name, else address), each
// level with its totals, sorted by traffic or by recency.

import type { ProcessInfo } from '../../../shared/contract.js';
import type { ConnectionView } from './connection-view.js';

export type SortOrder = 'traffic' | 'recent';

export interface Totals {
  connections: number;
  open: number;
  txBytes: number;
  rxBytes: number;
  /** Bytes per second, both directions. */
  rate: number;
  lastSeen: number;
}

export interface HostGroup extends Totals {
  key: string;
  processKey: string;
  host: string;
  connectionViews: ConnectionView[];
}

export interface ProcessGroup extends Totals {
  key: string;
  /** Identity of the latest connection's process; null for unattributed traffic. */
  process: ProcessInfo | null;
  /** The distinct processes (pid) of the group's app, in order of appearance. */
  processes: ProcessInfo[];
  /** Fleet mode: the host (Prometheus instance) the process runs on. */
  instance?: string;
  hosts: HostGroup[];
}

function emptyTotals(): Totals {
  return { connections: 0, open: 0, txBytes: 0, rxBytes: 0, rate: 0, lastSeen: 0 };
}

function add(totals: Totals, view: ConnectionView): void {
  totals.connections += 1;
  if (view.closedAt === null) totals.open += 1;
  totals.txBytes += view.event.txBytes;
  totals.rxBytes += view.event.rxBytes;
  totals.rate += view.txRate + view.rxRate;
  totals.lastSeen = Math.max(totals.lastSeen, view.lastSeen);
}

export function compareTotals(order: SortOrder): (a: Totals & { key: string }, b: Totals & { key: string }) => number {
  return (a, b) => {
    const primary = order === 'traffic'
      ? b.txBytes + b.rxBytes - (a.txBytes + a.rxBytes)
      : b.lastSeen - a.lastSeen;
    if (primary !== 0) return primary;
    const secondary = order === 'traffic' ? b.lastSeen - a.lastSeen : b.txBytes + b.rxBytes - (a.txBytes + a.rxBytes);
    return secondary !== 0 ? secondary : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  };
}

export function groupConnections(views: Iterable<ConnectionView>, order: SortOrder): ProcessGroup[] {
  const processes = new Map<string, ProcessGroup & { hostIndex: Map<string, HostGroup>; pids: Set<number> }>();
  for (const view of views) {
    const pkey = view.processKey;
    let group = processes.get(pkey);
    if (group === undefined) {
      group = { key: pkey, process: view.event.process, ...(view.event.instance !== undefined ? { instance: view.event.instance } : {}), processes: [], pids: new Set(), hosts: [], hostIndex: new Map(), ...emptyTotals() };
      processes.set(pkey, group);
    }
    const process = view.event.process;
    if (process !== null && !group.pids.has(process.pid)) {
      group.pids.add(process.pid);
      group.processes.push(process);
    }
    add(group, view);
    const host = view.host;
    let hostGroup = group.hostIndex.get(host);
    if (hostGroup === undefined) {
      hostGroup = { key: `${pkey}\u0000${host}`, processKey: pkey, host, connectionViews: [], ...emptyTotals() };
      group.hostIndex.set(host, hostGroup);
      group.hosts.push(hostGroup);
    }
    add(hostGroup, view);
    hostGroup.connectionViews.push(view);
  }
  const compare = compareTotals(order);
  const groups: ProcessGroup[] = [];
  for (const { hostIndex: _unused, pids: _pids, ...group } of processes.values()) {
    group.hosts.sort(compare);
    groups.push(group);
  }
  return groups.sort(compare);
}
