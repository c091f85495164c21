// The /proc fallback as a capability winner: when no BPF variant of connect, accept or udp attaches,
// scan /proc every second and report sockets not seen before (how 'existing', no cookie). Sockets
// that live less than a poll interval are missed: that is why it is last in every chain.

import type { KernelOwner } from './api.js';

const POLL_MS = 1_000;

function key(owner: KernelOwner): string {
  return `${owner.pid}/${owner.proto}/${owner.localIp}/${owner.localPort}/${owner.remoteIp}/${owner.remotePort}`;
}

export class ProcPoller {
  private timer: NodeJS.Timeout | null = null;
  private readonly seen = new Set<string>();

  constructor(
    private readonly scan: () => KernelOwner[],
    private readonly report: (owners: KernelOwner[]) => void,
    private readonly intervalMs = POLL_MS,
  ) {}

  /** Idempotent; sockets present at start are the startup capability's, not reported here. */
  start(): void {
    if (this.timer) return;
    for (const owner of this.scan()) this.seen.add(key(owner));
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  poll(): void {
    const fresh = this.scan().filter((owner) => !this.seen.has(key(owner)));
    for (const owner of fresh) this.seen.add(key(owner));
    if (fresh.length > 0) this.report(fresh);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
