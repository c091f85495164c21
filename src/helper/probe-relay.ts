// Relays an open probe to stdout, event-driven: the probe pushes owners, DNS copies, and the rows of
// flows that just opened or ended the moment the kernel reports them (ring-buffer wakeups); the rest
// of the table is read only while packets move, checked through one per-CPU counter. Once nothing
// moved for a few reads, the relay asks the kernel to wake it at the next packet and sleeps: an idle
// machine costs a table sweep a minute and nothing else (the counter check every 2 s that this
// replaced was half the helper's idle CPU). Stats are compared when something happened, not on a
// timer. Holds the pause state.

import type { OwnerRecord } from '../shared/capture.js';
import type { HelperErrorCode } from '../shared/helper-protocol.js';
import type { KernelOwner, Probe, ProcessEvent } from '../../native/api.js';
import { FlowChanges } from './flow-changes.js';
import type { MessageWriter } from './output.js';
import type { ProcIdentity } from './proc-identity.js';

export interface RelayTiming {
  /** Table reads while packets move (ms). */
  activeReadMs?: number;
  /** Counter checks once nothing moved for a few reads, when the kernel cannot wake the relay (ms). */
  idleCheckMs?: number;
  /** Whole-table read at least this often, moving or not: kernel-side expiry needs reads (ms). */
  sweepMs?: number;
  /** Stats are compared at most this often, when something happened, and sent when they changed (ms). */
  statsIntervalMs?: number;
}

/** Reads in a row that found no packet counted before the relay slows to idle checks. */
const QUIET_READS_BEFORE_IDLE = 4;

export class ProbeRelay {
  private paused = false;
  private readonly changes = new FlowChanges();
  private nextRead: NodeJS.Timeout | null = null;
  private nextReadAt = Infinity;
  private lastPackets = -1;
  private quietReads = 0;
  private lastSweep = 0;
  private lastStats = '';
  private lastStatsCheck = 0;
  private reportedDrainFailures = 0;

  constructor(
    private readonly probe: Probe,
    private readonly writer: MessageWriter,
    private readonly identity: ProcIdentity,
    private readonly timing: RelayTiming,
  ) {}

  start(): void {
    this.probe.listen({
      flows: (rows) => {
        if (this.paused) return;
        const changed = this.changes.changedSome(rows);
        if (changed.length > 0) this.writer.send({ t: 'flows', ts: Date.now(), flows: changed });
        // Bytes follow a new flow: read at the active rate from now on.
        this.quietReads = 0;
        this.scheduleRead(this.timing.activeReadMs ?? 250);
      },
      flowEnds: (ends) => {
        if (!this.paused) this.writer.send({ t: 'flow-end', ends });
      },
      owners: (owners) => {
        this.writer.send({ t: 'owners', owners: this.withIdentity(owners) });
        this.statsIfDue();
      },
      dns: (messages) => {
        if (!this.paused) this.writer.send({ t: 'dns', messages });
      },
      processes: (events) => this.onProcesses(events),
      interfaces: (change) => {
        if (change.event === 'failed') this.sendError('attach-failed', `${change.name}: ${change.error ?? 'attach failed'}`);
        this.sendStats(true);
      },
    });
    this.guarded('reading existing sockets', () => {
      const existing = this.probe.existingOwners();
      if (existing.length > 0) this.writer.send({ t: 'owners', owners: this.withIdentity(existing) });
    });
    this.read();
    this.sendStats(true);
  }

  /** Owners keep flowing while paused (attribution must not go stale); flows and DNS do not. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.changes.reset();
    this.lastPackets = -1; // every row again, moved or not
    this.read();
  }

  /** `always`: on request and when interfaces change; otherwise only when something changed. */
  sendStats(always = true): void {
    this.guarded('reading stats', () => {
      const { ts, ...stats } = this.probe.stats();
      const text = JSON.stringify(stats);
      if (!always && text === this.lastStats) return;
      this.lastStats = text;
      this.writer.send({ t: 'stats', ts, ...stats });
    });
    this.guarded('reading drain failures', () => this.reportDrainFailures());
  }

  /** A failed ring-buffer or netlink drain is said once per stats round in which more failed. */
  private reportDrainFailures(): void {
    const { count, lastError } = this.probe.drainFailures();
    if (count <= this.reportedDrainFailures) return;
    const added = count - this.reportedDrainFailures;
    this.reportedDrainFailures = count;
    this.sendError('internal', `kernel event drain failed ${added} time(s) (${count} in all, last ${lastError ?? 'unknown'}): records were lost (counted in events lost)`);
  }

  /** Stops the timer and detaches everything. */
  close(): void {
    if (this.nextRead !== null) clearTimeout(this.nextRead);
    this.nextRead = null;
    this.guarded('detaching', () => this.probe.close());
  }

  private sendError(code: HelperErrorCode, message: string): void {
    this.writer.send({ t: 'error', code, message, fatal: false });
  }

  /** The action's result, or undefined when it threw (said as a non-fatal error). */
  private guarded<T>(what: string, action: () => T): T | undefined {
    try {
      return action();
    } catch (error) {
      this.sendError('internal', `${what}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  /** Runs `read` after `delayMs` unless an earlier read is already due. */
  private scheduleRead(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.nextRead !== null && this.nextReadAt <= at) return;
    if (this.nextRead !== null) clearTimeout(this.nextRead);
    this.nextReadAt = at;
    this.nextRead = setTimeout(() => {
      this.nextRead = null;
      this.nextReadAt = Infinity;
      this.read();
    }, delayMs);
  }

  /** Reads the table when packets were counted since the last read (or a sweep is due), then plans the next. */
  private read(): void {
    if (this.paused) return;
    let moved = false;
    this.guarded('reading the flow table', () => {
      const packets = this.probe.packets();
      const now = Date.now();
      moved = packets !== this.lastPackets;
      if (!moved && now - this.lastSweep < (this.timing.sweepMs ?? 60_000)) return;
      this.lastPackets = packets;
      this.lastSweep = now;
      const rows = this.changes.changed(this.probe.readFlows());
      if (rows.length > 0) this.writer.send({ t: 'flows', ts: now, flows: rows });
    });
    this.quietReads = moved ? 0 : this.quietReads + 1;
    this.statsIfDue();
    if (this.quietReads < QUIET_READS_BEFORE_IDLE) {
      this.scheduleRead(this.timing.activeReadMs ?? 250);
      return;
    }
    this.sleepUntilTraffic();
  }

  /**
   * Idle: the kernel wakes us at the next packet (its row reaches the flows listener, which resumes
   * the active reads); until then only the sweep is due. A packet counted before the arming sent no
   * wakeup, so the count read after arming decides. Without the wakeup, counter checks as before.
   */
  private sleepUntilTraffic(): void {
    const after = this.guarded('arming the traffic wakeup', () => this.probe.wakeOnTraffic()) ?? null;
    if (after === null) {
      this.scheduleRead(this.timing.idleCheckMs ?? 2000);
    } else if (after !== this.lastPackets) {
      this.scheduleRead(this.timing.activeReadMs ?? 250);
    } else {
      this.scheduleRead(Math.max(0, this.lastSweep + (this.timing.sweepMs ?? 60_000) - Date.now()));
    }
  }

  private statsIfDue(): void {
    const now = Date.now();
    if (now - this.lastStatsCheck < (this.timing.statsIntervalMs ?? 5000)) return;
    this.lastStatsCheck = now;
    this.sendStats(false);
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
