// A Map whose entries expire and whose size is bounded (oldest insertion dropped first): the
// pending-query tables are fed by whatever this machine sends, so they must not grow with it.

export class ExpiringTable<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  /** Entries dropped to make room before they expired. */
  dropped = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly lifetimeMs: number,
  ) {}

  set(key: string, value: V, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: now + this.lifetimeMs });
    this.prune(now);
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(now: number): void {
    // Insertion order is expiry order (one lifetime for all): expired entries sit at the front.
    for (const [key, entry] of this.entries) {
      if (entry.expires > now && this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
      if (entry.expires > now) this.dropped++;
    }
  }
}
