// Relays an open probe to stdout: the flow table on a 1 s tick and early after flow-open hints,
// owners with /proc identity, DNS payloads, flow ends and stats. Holds the pause state.

import type { OwnerRecord } from '../shared/capture.js';
import type { HelperErrorCode } from '../shared/helper-protocol.js';
import type { KernelOwner, Probe, ProcessEvent } from '../../native/api.js';
import { FlowChanges } from './flow-changes.js';
import type { MessageWriter } from './output.js';
import type { ProcIdentity } from './proc-identity.js';

export interface RelayTiming {
  flushIntervalMs?: number;
  statsIntervalMs?: number;
  /** Delay between a flow-open hint and the early table read (coalesces bursts of opens). */
  earlyFlushMs?: number;
  /** Least time between two table reads: each reads the whole table (~25 ms at 65k rows). */
  minFlushGapMs?: number;
}

export class ProbeRelay {
  private paused = false;
  private readonly changes = new FlowChanges();
  private readonly timers: NodeJS.Timeout[] = [];
  private earlyFlush: NodeJS.Timeout | null = null;
  private lastFlushAt = 0;

  constructor(
    private readonly probe: Probe,
    private readonly writer: MessageWriter,
    private readonly identity: ProcIdentity,
    private readonly timing: RelayTiming,
  ) {}

  start(): void {
    this.probe.listen({
      flowOpens: () => this.scheduleEarlyFlush(),
      flowEnds: (ends) => {
        if (this.paused) return;
        // A connection that opened and closed between two reads would otherwise reach the engine
        // as an end before any row; reading first sends its counters ahead of its end.
        this.flushFlows();
        this.writer.send({ t: 'flow-end', ends });
      },
      owners: (owners) => this.writer.send({ t: 'owners', owners: this.withIdentity(owners) }),
      dns: (messages) => {
        if (!this.paused) this.writer.send({ t: 'dns', messages });
      },
      processes: (events) => this.onProcesses(events),
      interfaces: (change) => {
        if (change.event === 'failed') this.sendError('attach-failed', `${change.name}: ${change.error ?? 'attach failed'}`);
        this.sendStats();
      },
    });
    this.guarded('reading existing sockets', () => {
      const existing = this.probe.existingOwners();
      if (existing.length > 0) this.writer.send({ t: 'owners', owners: this.withIdentity(existing) });
    });
    this.flushFlows();
    this.sendStats();
    this.timers.push(setInterval(() => this.flushFlows(), this.timing.flushIntervalMs ?? 1000));
    this.timers.push(setInterval(() => this.sendStats(), this.timing.statsIntervalMs ?? 5000));
  }

  /** Owners keep flowing while paused (attribution must not go stale); flows and DNS do not. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.changes.reset();
    this.flushFlows();
  }

  sendStats(): void {
    this.guarded('reading stats', () => this.writer.send({ t: 'stats', ...this.probe.stats() }));
  }

  /** Stops the timers and detaches everything. */
  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    if (this.earlyFlush !== null) clearTimeout(this.earlyFlush);
    this.guarded('detaching', () => this.probe.close());
  }

  private sendError(code: HelperErrorCode, message: string): void {
    this.writer.send({ t: 'error', code, message, fatal: false });
  }

  private guarded(what: string, action: () => void): void {
    try {
      action();
    } catch (error) {
      this.sendError('internal', `${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private flushFlows(): void {
    if (this.paused) return;
    this.lastFlushAt = Date.now();
    this.guarded('reading the flow table', () => {
      const rows = this.changes.changed(this.probe.readFlows());
      if (rows.length > 0) this.writer.send({ t: 'flows', ts: Date.now(), flows: rows });
    });
  }

  private scheduleEarlyFlush(): void {
    if (this.earlyFlush !== null) return;
    const gap = this.lastFlushAt + (this.timing.minFlushGapMs ?? 100) - Date.now();
    this.earlyFlush = setTimeout(() => {
      this.earlyFlush = null;
      this.flushFlows();
    }, Math.max(this.timing.earlyFlushMs ?? 10, gap));
  }

  private withIdentity(owners: KernelOwner[]): OwnerRecord[] {
    return owners.map((owner) => ({ ...owner, ...this.identity.lookup(owner.pid, owner.startTime) }));
  }

  private onProcesses(events: ProcessEvent[]): void {
    for (const event of events) {
      if (event.kind === 'exec') this.identity.refresh(event.pid, event.startTime, { ppid: event.ppid, cgroupId: event.cgroupId, netns: event.netns });
    }
  }
}
