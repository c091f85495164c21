// The flows side of the probe: loads bpf/flows.bpf.c, attaches it to every interface (and to those
// that appear later), delivers ring-buffer batches, reads the flow table and keeps it from filling
// with flows that are over.

import type { FlowEnd, FlowKey, FlowSample } from '../src/shared/capture.js';
import type { BpfObjectHandle, Poller, RingBufferHandle, SnitchmapAddon } from './addon.js';
import { loadAddon } from './addon.js';
import type { ProbeListeners, TcMode } from './api.js';
import { FLOWS_MAPS, FLOWS_WAKE_ON_TRAFFIC } from './bpf-objects.js';
import { SM_FLOW_KEY } from './generated/abi.js';
import { toNativeError } from './errors.js';
import { TcAttacher, type AttachedInterface } from './flows-attach.js';
import { listInterfaces, readInterface, type InterfaceInfo } from './flows-interfaces.js';
import {
  DNS_MAX,
  FLOW_KEY_SIZE,
  STAT,
  decodeFlowEvents,
  decodeFlowRows,
  monotonicToEpochNow,
  sumPerCpuStats,
  type FlowStatName,
  type MonotonicToEpoch,
} from './flows-layout.js';
import { decodeLinkEvents } from './flows-netlink.js';
import { FlowExpiry } from './flows-expiry.js';
import { loadFlowsObject, type TcFeature } from './flows-load.js';
import { pollerFailures, type DrainFailures } from './poller-failures.js';

export interface FlowCaptureOptions {
  flowTableSize?: number;
  tcMode?: TcMode;
  /** Only these interface names (and no netlink watching); default: all, present and future. */
  interfaces?: string[];
  dnsCaptureBytes?: number;
  /** Ended (FIN/RST) flows unchanged this long are deleted from the table after being read (ms). */
  endedFlowTtlMs?: number;
  /** Flows unchanged this long are deleted after being read, with a FlowEnd 'evicted' (ms). */
  idleFlowTtlMs?: number;
}

type FlowListeners = Pick<ProbeListeners, 'flows' | 'flowEnds' | 'dns' | 'interfaces'> & {
  /** Runs before each ring-buffer batch is delivered (the probe drains the owner ring there). */
  beforeBatch?(): void;
};

export interface FlowStats {
  /** Ring-buffer reserve failures, undecodable records, and failed ring drains (each loses the record being handed over). */
  eventsLost: number;
  flowsEvicted: number;
  parseErrors: number;
  interfaces: AttachedInterface[];
  counters: Record<FlowStatName, number>;
  incompleteReads: number;
  /** The last readFlows(): rows returned, bpf_map_lookup_batch calls made, whether it reached the end. */
  lastRead: FlowReadCost | null;
  /** Failed drains of the event ring and the netlink watcher. */
  drainFailures: DrainFailures;
}

export interface FlowReadCost {
  rows: number;
  batchCalls: number;
  complete: boolean;
}

export const DEFAULT_FLOW_TABLE_SIZE = 65_536;

export class FlowCapture {
  private listeners: FlowListeners = {};
  private readonly ring: RingBufferHandle;
  private delivering = false;
  /** While set, the keys of rows onEvents delivers (see readFlows). */
  private delivered: Set<string> | null = null;
  private readonly linkWatcher: Poller | null;
  private readonly toEpoch: MonotonicToEpoch = monotonicToEpochNow();
  private readonly expiry: FlowExpiry;
  private evicted = 0;
  /** Table reads cut short by ENOSPC (rows inserted faster than read); counted, never retried in a loop. */
  private incompleteReads = 0;
  private lastRead: FlowReadCost | null = null;
  private undecodable = 0;
  private closed = false;

  private constructor(
    private readonly addon: SnitchmapAddon,
    private readonly object: BpfObjectHandle,
    private readonly attacher: TcAttacher,
    private readonly only: Set<string> | null,
    options: FlowCaptureOptions,
    /** Optional TC features in the loaded program, and those the kernel refused (with why). */
    readonly features: ReadonlySet<TcFeature>,
    readonly refused: ReadonlyMap<TcFeature, string>,
  ) {
    this.expiry = new FlowExpiry(options.endedFlowTtlMs ?? 30_000, options.idleFlowTtlMs ?? 600_000);
    this.ring = addon.openRingBuffer(object.mapFd(FLOWS_MAPS.events.name), (batch) => this.onEvents(batch));
    this.linkWatcher = only ? null : addon.watchLinks((batch) => this.onLinks(batch));
  }

  /** Loads and attaches; rejects (NativeError) when the object cannot load or no interface attaches. */
  static open(options: FlowCaptureOptions = {}, addon: SnitchmapAddon = loadAddon()): FlowCapture {
    const { object, features, refused } = loadFlowsObject(addon, {
      flowTableSize: options.flowTableSize ?? DEFAULT_FLOW_TABLE_SIZE,
      dnsCaptureBytes: options.dnsCaptureBytes ?? DNS_MAX,
    });
    const attacher = new TcAttacher(addon, object, options.tcMode ?? 'auto');
    const only = options.interfaces ? new Set(options.interfaces) : null;
    const capture = new FlowCapture(addon, object, attacher, only, options, features, refused);
    try {
      capture.attachPresent();
    } catch (error) {
      capture.close();
      throw toNativeError(error);
    }
    return capture;
  }

  get tcMode(): 'tcx' | 'clsact' | null {
    return this.attacher.currentMode();
  }

  /** Kernel ids of the TC programs this capture loaded (to tell them from another instance's). */
  programIds(): number[] {
    return this.object.programs().map((program) => this.object.programId(program.name));
  }

  listen(listeners: FlowListeners): void {
    this.listeners = listeners;
  }

  /** Every row of the flow table; afterwards, rows that are over are deleted (see FlowExpiry). */
  readFlows(): FlowSample[] {
    if (this.closed) return [];
    // Records written before this read (flow opens, DNS copies) are delivered before its rows;
    // not while a batch is being delivered (a listener reading the table), which would reorder it.
    if (!this.delivering) this.ring.consume();
    const createdBefore = this.counter('flowsCreated');
    const { keys, values, count, complete, calls } = this.object.lookupBatch(FLOWS_MAPS.flows.name);
    if (!complete) this.incompleteReads++;
    this.lastRead = { rows: count, batchCalls: calls, complete };
    const rows = decodeFlowRows(keys, values, count, this.toEpoch);
    const fresh = this.deliverWrittenDuringRead();
    const { deleteIndexes, idleEnds } = this.expiry.review(rows, Date.now());
    if (deleteIndexes.length > 0) {
      const packed = Buffer.concat(deleteIndexes.map((i) => keys.subarray(i * FLOW_KEY_SIZE, (i + 1) * FLOW_KEY_SIZE)));
      this.expiry.deleted += this.object.deleteKeys(FLOWS_MAPS.flows.name, packed);
    }
    // Created - present - deleted by us = evicted by the LRU. Flows created during the read can only
    // lower this estimate, so keep the maximum.
    this.evicted = Math.max(this.evicted, createdBefore - count - this.expiry.deleted);
    if (idleEnds.length > 0) this.listeners.flowEnds?.(idleEnds);
    return fresh.size === 0 ? rows : rows.filter((row) => !fresh.has(flowKeyText(row)));
  }

  /**
   * Records written while the table was read — a DNS answer, then the open of the connection it
   * named — are delivered now, with rows read after them; the table's older copies of those rows
   * are dropped. Else a row could reach the listeners before the DNS copy that names it (seen on
   * 5.10 under a storm: the client connected between the ring drain and the table read).
   */
  private deliverWrittenDuringRead(): Set<string> {
    const fresh = new Set<string>();
    if (this.delivering) return fresh;
    this.delivered = fresh;
    try {
      this.ring.consume();
    } finally {
      this.delivered = null;
    }
    return fresh;
  }

  /**
   * Arms the program's wake_on_traffic (the .bss section, written whole): its next packet sends
   * SM_EVENT_TRAFFIC, whose row reaches the flows listener. Returns packets() read after arming.
   */
  wakeOnTraffic(): number {
    if (this.closed) return 0;
    const armed = Buffer.alloc(FLOWS_WAKE_ON_TRAFFIC.size);
    armed.writeUInt32LE(1, 0);
    this.object.updateElem(FLOWS_WAKE_ON_TRAFFIC.map, Buffer.alloc(4), armed);
    return this.packets();
  }

  /** Packets the TC program has counted so far: one per-CPU entry, so callers can skip table reads while it stands still. */
  packets(): number {
    if (this.closed) return 0;
    return sumPerCpuStats(this.object.readPerCpuArray(FLOWS_MAPS.stats.name, STAT.packets), 1)[0] ?? 0;
  }

  stats(): FlowStats {
    const totals = this.counters();
    const ringFailures = pollerFailures(this.ring);
    return {
      eventsLost: totals.ringbufFull + this.undecodable + ringFailures.count,
      flowsEvicted: this.evicted,
      parseErrors: totals.parseError + totals.insertFailed,
      interfaces: this.attacher.interfaces(),
      counters: totals,
      incompleteReads: this.incompleteReads,
      lastRead: this.lastRead,
      drainFailures: this.drainFailures(),
    };
  }

  /** Failed drains of the event ring and the netlink watcher (cheap: no map read). */
  drainFailures(): DrainFailures {
    return pollerFailures(this.ring, this.linkWatcher);
  }

  /** Detaches everything and frees the object. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.linkWatcher?.close();
    this.attacher.close();
    this.ring.close();
    this.object.close();
  }

  private counters(): Record<FlowStatName, number> {
    const sums = sumPerCpuStats(this.object.readPerCpuArray(FLOWS_MAPS.stats.name));
    const out = {} as Record<FlowStatName, number>;
    for (const [name, index] of Object.entries(STAT) as Array<[FlowStatName, number]>) out[name] = sums[index] ?? 0;
    return out;
  }

  private counter(name: FlowStatName): number {
    return this.counters()[name];
  }

  private attachPresent(): void {
    const present = listInterfaces().filter((iface) => !this.only || this.only.has(iface.name));
    for (const iface of present) this.attachOne(iface, false);
    if (this.attacher.currentMode() === null) {
      const reasons = this.attacher.interfaces().map((entry) => `${entry.name}: ${entry.error ?? 'failed'}`);
      throw new Error(`the TC program attached to no interface (${reasons.join('; ') || 'no interfaces'})`);
    }
  }

  private attachOne(iface: InterfaceInfo, announce: boolean): void {
    const result = this.attacher.attach(iface);
    if (announce) {
      const event = result.mode === 'failed' ? 'failed' : 'attached';
      this.listeners.interfaces?.({ name: iface.name, ifindex: iface.ifindex, event, ...(result.error ? { error: result.error } : {}) });
    }
  }

  private onLinks(batch: Buffer): void {
    if (this.closed) return;
    for (const event of decodeLinkEvents(batch)) {
      if (event.kind === 'overrun') {
        for (const iface of listInterfaces()) if (!this.attacher.has(iface.ifindex)) this.attachOne(iface, true);
      } else if (event.kind === 'new') {
        if (this.attacher.has(event.ifindex) || !event.name) continue;
        const iface = readInterface(event.name);
        if (iface && iface.ifindex === event.ifindex) this.attachOne(iface, true);
      } else if (this.attacher.has(event.ifindex)) {
        const name = this.attacher.interfaces().find((entry) => entry.ifindex === event.ifindex)?.name ?? event.name ?? '';
        this.attacher.detach(event.ifindex);
        this.forgetInterface(event.ifindex);
        this.listeners.interfaces?.({ name, ifindex: event.ifindex, event: 'detached' });
      }
    }
  }

  /** A removed interface's rows can never change again: drop them (counted as deleted, not evicted). */
  private forgetInterface(ifindex: number): void {
    const { keys, count } = this.object.lookupBatch(FLOWS_MAPS.flows.name);
    const doomed: Buffer[] = [];
    for (let i = 0; i < count; i++) if (keys.readUInt32LE(i * FLOW_KEY_SIZE + SM_FLOW_KEY.ifindex) === ifindex) doomed.push(keys.subarray(i * FLOW_KEY_SIZE, (i + 1) * FLOW_KEY_SIZE));
    if (doomed.length > 0) this.expiry.deleted += this.object.deleteKeys(FLOWS_MAPS.flows.name, Buffer.concat(doomed));
  }

  /** Current rows of these raw keys (those still in the table), one lookup each. */
  private readKeys(keys: Buffer[]): FlowSample[] {
    if (keys.length === 0) return [];
    const found = this.object.lookupKeys(FLOWS_MAPS.flows.name, Buffer.concat(keys));
    return decodeFlowRows(found.keys, found.values, found.count, this.toEpoch);
  }

  /**
   * One ring-buffer wakeup, delivered in the order the engine needs: owners (drained by beforeBatch)
   * and names before the flows they belong to; a flow's old row ended ('reuse') before the new
   * socket's row; the rows of flows that opened or saw FIN/RST, read now, before their ends.
   */
  private onEvents(batch: Buffer): void {
    const decoded = decodeFlowEvents(batch, this.toEpoch);
    this.undecodable += decoded.unknown;
    this.delivering = true;
    try {
      // Rows first, owners drained after: every owner record written before a row was read (a
      // socket's connect or sendmsg comes before its flow's first packet) then reaches the listeners
      // ahead of that row. Draining first left a gap: on a slow 5.10 guest a port's new socket
      // connected between the drain and the read, its row came without its record, and the
      // previous socket's record (no cookie there to tell them apart) was taken for it.
      const rows = this.readKeys(decoded.keysToRead);
      this.listeners.beforeBatch?.();
      if (decoded.dns.length > 0) this.listeners.dns?.(decoded.dns);
      const reused = decoded.ends.filter((end) => end.reason === 'reuse');
      const ended = decoded.ends.filter((end) => end.reason !== 'reuse');
      if (reused.length > 0) this.listeners.flowEnds?.(reused);
      if (rows.length > 0) this.listeners.flows?.(rows);
      if (this.delivered) for (const row of rows) this.delivered.add(flowKeyText(row));
      if (ended.length > 0) this.listeners.flowEnds?.(ended);
    } finally {
      this.delivering = false;
    }
  }
}

function flowKeyText(key: FlowKey): string {
  return [key.ifindex, key.proto, key.localIp, key.localPort, key.remoteIp, key.remotePort].join('|');
}

export type { FlowEnd, FlowKey };
