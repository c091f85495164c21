// A capture source feeds the engine: the root helper (eBPF) through its protocol, or the
// unprivileged /proc poller. Both deliver the records of src/shared/capture.ts through a sink.

import type {
  CaptureHello,
  CaptureStats,
  DnsPayload,
  FlowEnd,
  FlowSample,
  OwnerRecord,
} from '../../shared/capture.js';

export interface CaptureSink {
  /** A batch of flow-table rows with cumulative counters (only rows that changed, or all). */
  flows(samples: FlowSample[], ts: number): void;
  flowEnds(ends: FlowEnd[]): void;
  owners(owners: OwnerRecord[]): void;
  dns(messages: DnsPayload[]): void;
  stats(stats: CaptureStats): void;
  /** The source stopped on its own (helper died, permission lost). The engine reports it. */
  failed(error: Error): void;
}

export interface CaptureSource {
  readonly kind: 'ebpf' | 'proc';
  /** Starts capturing; resolves once the source said hello (programs attached, or /proc readable). */
  start(sink: CaptureSink): Promise<CaptureHello>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops and releases everything (the helper detaches all programs and exits). Idempotent. */
  stop(): Promise<void>;
}
