// A stand-in for the engine's message side: the history only subscribes to onMessage/onCleared.

import type { ConnectionEvent, WatchMessage } from '../../../../src/shared/contract.js';

export class FakeEngine {
  private readonly listeners = new Set<(message: WatchMessage) => void>();
  private readonly cleared = new Set<() => void>();

  onMessage(listener: (message: WatchMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onCleared(listener: () => void): () => void {
    this.cleared.add(listener);
    return () => this.cleared.delete(listener);
  }

  send(event: ConnectionEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  clear(): void {
    for (const listener of this.cleared) listener();
  }
}

export function connection(overrides: Partial<ConnectionEvent> & { id: string; ts: number }): ConnectionEvent {
  return {
    type: 'connection',
    event: 'open',
    proto: 'tcp',
    direction: 'outbound',
    family: 4,
    local: { ip: '10.0.0.2', port: 40000 },
    remote: { ip: '203.0.113.7', port: 443, host: 'example.test', scope: 'internet', geo: { country: 'FR', city: 'Paris', lat: 48.85, lon: 2.35 }, asn: null },
    process: { pid: 42, name: 'curl', exe: '/usr/bin/curl', cmdline: 'curl https://example.test', uid: 1000, user: 'me' },
    txBytes: 0,
    rxBytes: 0,
    txPackets: 0,
    rxPackets: 0,
    ...overrides,
  };
}
