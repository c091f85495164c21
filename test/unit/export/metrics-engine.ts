// An engine stand-in whose connections, stats and hello a metrics test sets (the collector reads
// them at scrape time) and whose messages it emits.

import type { ConnectionEvent, HelloMessage, StatsMessage } from '../../../src/shared/contract.js';
import { FakeEngine, HELLO } from '../cli/fake-engine.js';

export class MetricsEngine extends FakeEngine {
  live: ConnectionEvent[] = [];
  counters: StatsMessage = { type: 'stats', ts: 1, eventsLost: 0, flowsEvicted: 0, unattributed: 0, connections: 0 };
  current: HelloMessage = HELLO;
  private readonly clearedListeners = new Set<() => void>();

  override connections(): ConnectionEvent[] {
    return this.live;
  }
  override stats(): StatsMessage {
    return this.counters;
  }
  override hello(): HelloMessage {
    return this.current;
  }
  override onCleared(listener: () => void): () => void {
    this.clearedListeners.add(listener);
    return () => this.clearedListeners.delete(listener);
  }
  override clear(): void {
    super.clear();
    for (const listener of this.clearedListeners) listener();
  }
}
