// Which flow-table rows userspace deletes after reading them, so the LRU holds live flows and its
// evictions mean real loss: ended TCP flows (FIN/RST seen) once unchanged for a while, and any flow
// idle for long. A row is deleted only after a read returned its final counters.

import type { FlowEnd, FlowSample } from '../src/shared/capture.js';

const TCP_FIN_OR_RST = 0x01 | 0x04;

function keyOf(row: FlowSample): string {
  return `${row.ifindex}|${row.family}|${row.proto}|${row.localIp}|${row.localPort}|${row.remoteIp}|${row.remotePort}`;
}

function signatureOf(row: FlowSample): string {
  return `${row.txPackets},${row.rxPackets},${row.tcpFlags}`;
}

export class FlowExpiry {
  /** Rows deleted by userspace so far (for eviction accounting). */
  deleted = 0;
  private readonly lastChange = new Map<string, { signature: string; at: number }>();

  constructor(
    private readonly endedTtlMs: number,
    private readonly idleTtlMs: number,
  ) {}

  review(rows: FlowSample[], now: number): { deleteIndexes: number[]; idleEnds: FlowEnd[] } {
    const deleteIndexes: number[] = [];
    const idleEnds: FlowEnd[] = [];
    const present = new Set<string>();
    rows.forEach((row, index) => {
      const key = keyOf(row);
      const signature = signatureOf(row);
      present.add(key);
      const previous = this.lastChange.get(key);
      if (!previous || previous.signature !== signature) {
        this.lastChange.set(key, { signature, at: now });
        return;
      }
      const unchangedFor = now - previous.at;
      const ended = row.proto === 6 && (row.tcpFlags & TCP_FIN_OR_RST) !== 0;
      if ((ended && unchangedFor >= this.endedTtlMs) || unchangedFor >= this.idleTtlMs) {
        deleteIndexes.push(index);
        this.lastChange.delete(key);
        if (!ended) {
          const { ifindex, family, proto, localIp, localPort, remoteIp, remotePort } = row;
          idleEnds.push({ ifindex, family, proto, localIp, localPort, remoteIp, remotePort, ts: now, reason: 'evicted' });
        }
      }
    });
    for (const key of this.lastChange.keys()) if (!present.has(key)) this.lastChange.delete(key);
    return { deleteIndexes, idleEnds };
  }
}
