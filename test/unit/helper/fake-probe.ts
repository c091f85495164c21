// A Probe (native/api.ts) without a kernel: tests push records through its listeners.

import type { FlowSample } from '../../../src/shared/capture.js';
import type { DrainFailures, Probe, ProbeListeners } from '../../../native/api.js';

export class FakeProbe implements Probe {
  readonly probes = { tc: 'tcx', connect: 'tp_btf:inet_sock_set_state', accept: null, udp: 'cgroup:sendmsg', close: null, exec: null, dns: 'tc', startup: null, icmp: null };
  readonly probeLog = { accept: [['kretprobe:inet_csk_accept', 'ENOENT: no kprobes in this kernel']] as Array<[string, string]> };
  listeners: ProbeListeners = {};
  rows: FlowSample[] = [];
  reads = 0;
  closed = 0;
  /** What packets() reports: tests move it to make the relay read the table. */
  packetCount = 0;
  /** How often the relay checked packets(): lets tests wait for "it looked and saw nothing". */
  packetChecks = 0;
  /** How often the relay armed the kernel's wake-on-traffic (it does when idle). */
  wakeArmed = 0;
  /** Runs inside wakeOnTraffic(), before it reads the counter: a packet counted while arming. */
  onArm: (() => void) | null = null;
  /** What drainFailures() reports: tests raise it to see the helper say so. */
  failures: DrainFailures = { count: 0, lastError: null };

  listen(listeners: ProbeListeners): void {
    this.listeners = listeners;
  }

  readFlows(): FlowSample[] {
    this.reads++;
    return this.rows.map((row) => ({ ...row }));
  }

  packets(): number {
    this.packetChecks++;
    return this.packetCount;
  }

  wakeOnTraffic(): number {
    this.wakeArmed++;
    this.onArm?.();
    return this.packets();
  }

  existingOwners() {
    return [];
  }

  stats() {
    return { ts: 1, eventsLost: 0, flowsEvicted: 0, parseErrors: 0, interfaces: [{ name: 'lo', ifindex: 1, mode: 'tcx' as const }] };
  }

  drainFailures(): DrainFailures {
    return { ...this.failures };
  }

  close(): void {
    this.closed++;
  }
}

export function sampleRow(overrides: Partial<FlowSample> = {}): FlowSample {
  return {
    ifindex: 2,
    family: 4,
    proto: 6,
    localIp: '10.0.0.1',
    localPort: 40000,
    remoteIp: '10.0.0.2',
    remotePort: 443,
    txBytes: 100,
    rxBytes: 200,
    txPackets: 1,
    rxPackets: 2,
    firstSeen: 1,
    tcpFlags: 0x12,
    initiator: 'local',
    ...overrides,
  };
}
