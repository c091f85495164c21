// The helper reads the whole kernel flow table every tick but forwards only rows whose counters
// moved: an idle desktop holds hundreds of flows and the engine needs none of them again.

import type { FlowKey, FlowSample } from '../shared/capture.js';

export function flowKeyString(key: FlowKey): string {
  return `${key.ifindex}|${key.proto}|${key.localIp}|${key.localPort}|${key.remoteIp}|${key.remotePort}`;
}

export class FlowChanges {
  private readonly seen = new Map<string, string>();

  /** Rows new or changed since the last call; rows gone from the table are forgotten. */
  changed(rows: FlowSample[]): FlowSample[] {
    const out: FlowSample[] = [];
    const present = new Set<string>();
    for (const row of rows) {
      const key = flowKeyString(row);
      const signature = `${row.txBytes},${row.rxBytes},${row.txPackets},${row.rxPackets},${row.tcpFlags}`;
      present.add(key);
      if (this.seen.get(key) !== signature) {
        this.seen.set(key, signature);
        out.push(row);
      }
    }
    for (const key of this.seen.keys()) if (!present.has(key)) this.seen.delete(key);
    return out;
  }

  /** Forget everything, so the next read forwards every row (after resume). */
  reset(): void {
    this.seen.clear();
  }
}
