// The helper reads the whole kernel flow table every tick but forwards only rows whose counters
// moved: an idle desktop holds hundreds of flows and the engine needs none of them again.

import type { FlowKey, FlowSample } from '../shared/capture.js';

export function flowKeyString(key: FlowKey): string {
  return `${key.ifindex}|${key.proto}|${key.localIp}|${key.localPort}|${key.remoteIp}|${key.remotePort}`;
}

/** A row restarted for a new socket (same key, new firstSeen) is a change even with equal counters. */
function signatureOf(row: FlowSample): string {
  return `${row.txBytes},${row.rxBytes},${row.txPackets},${row.rxPackets},${row.tcpFlags},${row.firstSeen}`;
}

export class FlowChanges {
  private readonly seen = new Map<string, string>();

  /** Rows new or changed since the last call; rows gone from the table are forgotten. */
  changed(rows: FlowSample[]): FlowSample[] {
    const out: FlowSample[] = [];
    const present = new Set<string>();
    for (const row of rows) {
      const key = flowKeyString(row);
      const signature = signatureOf(row);
      present.add(key);
      if (this.seen.get(key) !== signature) {
        this.seen.set(key, signature);
        out.push(row);
      }
    }
    for (const key of this.seen.keys()) if (!present.has(key)) this.seen.delete(key);
    return out;
  }

  /** Of these rows (a few pushed by the probe, not the whole table), those new or changed; forgets nothing. */
  changedSome(rows: FlowSample[]): FlowSample[] {
    return rows.filter((row) => {
      const key = flowKeyString(row);
      const signature = signatureOf(row);
      if (this.seen.get(key) === signature) return false;
      this.seen.set(key, signature);
      return true;
    });
  }

  /** Forget everything, so the next read forwards every row (after resume). */
  reset(): void {
    this.seen.clear();
  }
}
