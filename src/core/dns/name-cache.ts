// IP → host name, learnt from DNS answers the capture source copied off the wire. Bounded (oldest
// entry evicted first) and TTL-aware. Every payload that fails to parse is counted, never thrown.
import type { DnsPayload } from '../../shared/capture.js';
import { namedAddresses } from './answers.js';

export interface NameCacheOptions {
  maxEntries?: number;
  /**
   * Answers live at least this long. Applications connect right after the answer and often cache
   * it past its TTL, so a TTL-0 answer must still name the connection it caused.
   */
  minTtlMs?: number;
}

export interface NameCacheStats {
  parsed: number;
  malformed: number;
  truncated: number;
  evicted: number;
  entries: number;
}

interface Entry {
  name: string;
  expires: number;
}

export class NameCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly minTtlMs: number;
  private readonly counters = { parsed: 0, malformed: 0, truncated: 0, evicted: 0 };

  constructor(options: NameCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 16_384;
    this.minTtlMs = options.minTtlMs ?? 30_000;
  }

  ingest(message: DnsPayload, now: number): void {
    if (message.truncated) this.counters.truncated++;
    let answers;
    try {
      answers = namedAddresses(Buffer.from(message.payload, 'base64'));
    } catch {
      this.counters.malformed++;
      return;
    }
    this.counters.parsed++;
    for (const answer of answers) {
      const ttlMs = Math.min(Math.max(answer.ttlSeconds * 1000, this.minTtlMs), 7 * 86_400_000);
      this.entries.delete(answer.ip);
      this.entries.set(answer.ip, { name: answer.name, expires: now + ttlMs });
    }
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
      this.counters.evicted++;
    }
  }

  hostFor(ip: string, now: number): string | null {
    const entry = this.entries.get(ip);
    if (!entry) return null;
    if (entry.expires <= now) {
      this.entries.delete(ip);
      return null;
    }
    return entry.name;
  }

  stats(): NameCacheStats {
    return { ...this.counters, entries: this.entries.size };
  }
}
