// IP → host name, learnt from DNS answers the capture source copied off the wire. Bounded (oldest
// entry evicted first) and TTL-aware. Queries this machine sends are remembered so that only the
// answers to them count (answer-gate.ts). Every payload that fails to parse, and every response
// that answers nothing asked here, is counted, never thrown.
import type { DnsPayload } from '../../shared/capture.js';
import { AnswerGate } from './answer-gate.js';
import { decodeDns, namedAddresses, type DnsMessage, type NamedAddress } from './answers.js';
import { systemOwnAddresses, type OwnAddressCheck } from './own-addresses.js';

export interface NameCacheOptions {
  maxEntries?: number;
  /**
   * Answers live at least this long. Applications connect right after the answer and often cache
   * it past its TTL, so a TTL-0 answer must still name the connection it caused.
   */
  minTtlMs?: number;
  /** Addresses of this machine (default: loopback and the interfaces' addresses). */
  isOwnAddress?: OwnAddressCheck;
}

export interface NameCacheStats {
  parsed: number;
  malformed: number;
  truncated: number;
  /** Responses that answer no query this machine sent (spoofed, unsolicited, late). */
  unmatched: number;
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
  private readonly counters = { parsed: 0, malformed: 0, truncated: 0, unmatched: 0, evicted: 0 };
  private readonly gate: AnswerGate;

  constructor(options: NameCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 16_384;
    this.minTtlMs = options.minTtlMs ?? 30_000;
    this.gate = new AnswerGate(options.isOwnAddress ?? systemOwnAddresses());
  }

  ingest(message: DnsPayload, now: number): void {
    if (message.truncated) this.counters.truncated++;
    let packet: DnsMessage;
    try {
      packet = decodeDns(Buffer.from(message.payload, 'base64'));
    } catch {
      this.counters.malformed++;
      return;
    }
    this.counters.parsed++;
    const isResponse = packet.type === 'response';
    // The gate times an answer against its query by when both passed the kernel (the records'
    // ts, one monotonic clock), not by when they reached here: an engine or helper that reads a
    // backlog late (a stalled or loaded machine) must not make a prompt answer a late one. Seen
    // under emulation: packets 1.2–2.4 s apart read 29 s apart (the way from the kernel's ring to
    // here had fallen behind), and 10 of 12 answers refused as later than their queries' lifetime.
    const packetAt = typeof message.ts === 'number' && Number.isFinite(message.ts) ? message.ts : now;
    // A query arriving asks this machine; a response leaving answers someone else: neither names anything.
    if (message.direction === 'tx' && !isResponse) this.gate.recordQuery(message, packet, packetAt);
    if (message.direction !== 'rx' || !isResponse) return;
    const asked = this.gate.admit(message, packet, packetAt);
    if (asked === null) {
      this.counters.unmatched++;
      return;
    }
    this.remember(namedAddresses(packet, asked), now);
  }

  private remember(answers: NamedAddress[], now: number): void {
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
