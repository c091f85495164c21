import type { CaptureStats, DnsPayload, FlowEnd, FlowSample, OwnerRecord } from '../../../src/shared/capture.js';
import type { CaptureSink } from '../../../src/core/capture/source.js';
import { waitFor } from '../../support/wait-for.js';

/** A CaptureSink that records every call, for capture source tests. */
export class RecordingSink implements CaptureSink {
  flowBatches: FlowSample[][] = [];
  ends: FlowEnd[] = [];
  ownerRecords: OwnerRecord[] = [];
  dnsMessages: DnsPayload[] = [];
  statsSeen: CaptureStats[] = [];
  failures: Error[] = [];

  flows(samples: FlowSample[]): void {
    this.flowBatches.push(samples);
  }
  flowEnds(ends: FlowEnd[]): void {
    this.ends.push(...ends);
  }
  owners(owners: OwnerRecord[]): void {
    this.ownerRecords.push(...owners);
  }
  dns(messages: DnsPayload[]): void {
    this.dnsMessages.push(...messages);
  }
  stats(stats: CaptureStats): void {
    this.statsSeen.push(stats);
  }
  failed(error: Error): void {
    this.failures.push(error);
  }
}

export async function until(condition: () => boolean, ms = 3000): Promise<void> {
  await waitFor(condition, { timeout: ms, what: 'the condition' });
}
