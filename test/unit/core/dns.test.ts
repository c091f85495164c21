import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeDns, namedAddresses } from '../../../src/core/dns/answers.js';
import { NameCache } from '../../../src/core/dns/name-cache.js';
import { lookup, payload, response } from './fakes/dns.js';

/** Addresses named by a response, for the names its questions asked. */
function named(bytes: Buffer) {
  const packet = decodeDns(bytes);
  return namedAddresses(packet, (packet.questions ?? []).map((question) => question.name));
}

describe('namedAddresses', () => {
  it('maps A and AAAA answers of a CNAME chain to the name that was asked', () => {
    const bytes = response('www.Example.com', [
      { type: 'CNAME', name: 'www.example.com', ttl: 300, data: 'edge.cdn.example.net' },
      { type: 'CNAME', name: 'edge.cdn.example.net', ttl: 120, data: 'pop7.cdn.example.net' },
      { type: 'A', name: 'pop7.cdn.example.net', ttl: 60, data: '93.184.216.34' },
      { type: 'A', name: 'pop7.cdn.example.net', ttl: 600, data: '93.184.216.35' },
    ]);
    expect(named(bytes)).toEqual([
      { ip: '93.184.216.34', name: 'www.Example.com', ttlSeconds: 60 },
      { ip: '93.184.216.35', name: 'www.Example.com', ttlSeconds: 120 },
    ]);
  });

  it('normalizes AAAA addresses and reports v4-mapped ones as IPv4', () => {
    const bytes = response('six.example', [
      { type: 'AAAA', name: 'six.example', ttl: 30, data: '2001:DB8:0:0:0:0:0:1' },
      { type: 'AAAA', name: 'six.example', ttl: 30, data: '::ffff:192.0.2.9' },
    ], 'AAAA');
    expect(named(bytes).map((answer) => answer.ip)).toEqual(['2001:db8::1', '192.0.2.9']);
  });

  it('survives CNAME loops and names nothing from a query', () => {
    const loop = response('a.example', [
      { type: 'CNAME', name: 'a.example', ttl: 5, data: 'b.example' },
      { type: 'CNAME', name: 'b.example', ttl: 5, data: 'a.example' },
    ]);
    expect(named(loop)).toEqual([]);
    const query = Buffer.from(response('q.example', []));
    query[2] = (query[2] ?? 0) & 0x7f;
    expect(named(query)).toEqual([]);
  });

  it('keeps hostile names as data', () => {
    const name = '<img src=x onerror=alert(1)>.' + 'x'.repeat(63) + '.example';
    const bytes = response(name, [{ type: 'A', name, ttl: 60, data: '198.51.100.1' }]);
    expect(named(bytes)).toEqual([{ ip: '198.51.100.1', name, ttlSeconds: 60 }]);
  });

  it('ignores records no asked name leads to (an answer cannot name other addresses)', () => {
    const bytes = response('a.attacker.example', [
      { type: 'A', name: 'a.attacker.example', ttl: 60, data: '198.51.100.7' },
      { type: 'A', name: 'login.bank.example', ttl: 60, data: '203.0.113.9' },
    ]);
    expect(named(bytes)).toEqual([{ ip: '198.51.100.7', name: 'a.attacker.example', ttlSeconds: 60 }]);
  });

  it('throws on a compression pointer loop (which the cache counts)', () => {
    // Header: 1 question; the question name is a pointer to itself at offset 12.
    const header = Buffer.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]);
    const selfPointer = Buffer.concat([header, Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
    expect(() => decodeDns(selfPointer)).toThrow();
  });
});

describe('NameCache', () => {
  // Each lookup gets its own id so that the answer matches its own query only.
  let nextId = 1;
  const answer = (name: string, ip: string, ttl: number) => lookup(name, [{ type: 'A', name, ttl, data: ip }], 'A', nextId++);
  const ingestAll = (cache: NameCache, messages: ReturnType<typeof lookup>, now: number) => {
    for (const message of messages) cache.ingest(message, now);
  };

  it('expires names after their TTL, with a floor for TTL-0 answers', () => {
    const cache = new NameCache({ minTtlMs: 30_000 });
    ingestAll(cache, answer('long.example', '203.0.113.1', 120), 1_000);
    ingestAll(cache, answer('zero.example', '203.0.113.2', 0), 1_000);
    expect(cache.hostFor('203.0.113.1', 120_999)).toBe('long.example');
    expect(cache.hostFor('203.0.113.1', 121_000)).toBeNull();
    expect(cache.hostFor('203.0.113.2', 30_999)).toBe('zero.example');
    expect(cache.hostFor('203.0.113.2', 31_000)).toBeNull();
    expect(cache.hostFor('203.0.113.3', 1_000)).toBeNull();
  });

  it('a later answer for the same address replaces the name', () => {
    const cache = new NameCache();
    ingestAll(cache, answer('first.example', '203.0.113.1', 60), 0);
    ingestAll(cache, answer('second.example', '203.0.113.1', 60), 10);
    expect(cache.hostFor('203.0.113.1', 20)).toBe('second.example');
  });

  it('is bounded: the oldest entries go first and are counted', () => {
    const cache = new NameCache({ maxEntries: 10 });
    for (let i = 0; i < 25; i++) ingestAll(cache, answer(`h${i}.example`, `198.51.100.${i}`, 600), 0);
    expect(cache.stats()).toMatchObject({ entries: 10, evicted: 15, parsed: 50, malformed: 0, unmatched: 0 });
    expect(cache.hostFor('198.51.100.0', 1)).toBeNull();
    expect(cache.hostFor('198.51.100.24', 1)).toBe('h24.example');
  });

  it('counts every truncated prefix of a response without throwing', () => {
    const full = response('www.example.com', [
      { type: 'CNAME', name: 'www.example.com', ttl: 300, data: 'edge.example.net' },
      { type: 'A', name: 'edge.example.net', ttl: 60, data: '93.184.216.34' },
    ]);
    const cache = new NameCache();
    for (let length = 0; length < full.length; length++) {
      cache.ingest(payload(full.subarray(0, length), 0, true), 0);
    }
    const stats = cache.stats();
    expect(stats.parsed + stats.malformed).toBe(full.length);
    expect(stats.truncated).toBe(full.length);
    expect(stats.malformed).toBeGreaterThan(full.length / 2);
  });

  it('counts compression loops and junk base64 as malformed', () => {
    const cache = new NameCache();
    const header = Buffer.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]);
    cache.ingest(payload(Buffer.concat([header, Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])])), 0);
    cache.ingest({ ...payload(Buffer.alloc(0)), payload: '%%% not base64 %%%' }, 0);
    expect(cache.stats().malformed).toBe(2);
  });

  it('never throws on thousands of random buffers', () => {
    const cache = new NameCache({ maxEntries: 100 });
    const rounds = 5_000;
    for (let i = 0; i < rounds; i++) {
      const bytes = randomBytes(Math.floor(Math.random() * 600));
      // Half of them get a plausible response header so the parser goes deeper.
      if (i % 2 === 0 && bytes.length >= 12) bytes.writeUInt16BE(0x8180, 2);
      expect(() => cache.ingest(payload(bytes), i)).not.toThrow();
    }
    const stats = cache.stats();
    expect(stats.parsed + stats.malformed).toBe(rounds);
    expect(stats.entries).toBeLessThanOrEqual(100);
  });

  it('never throws on thousands of bit-flipped real responses, and some still parse', () => {
    const full = response('www.example.com', [
      { type: 'CNAME', name: 'www.example.com', ttl: 300, data: 'edge.example.net' },
      { type: 'A', name: 'edge.example.net', ttl: 60, data: '93.184.216.34' },
      { type: 'AAAA', name: 'edge.example.net', ttl: 60, data: '2001:db8::34' },
    ]);
    const cache = new NameCache({ maxEntries: 100 });
    const rounds = 5_000;
    for (let i = 0; i < rounds; i++) {
      const bytes = Buffer.from(full);
      for (let flips = 1 + (i % 4); flips > 0; flips--) {
        const at = Math.floor(Math.random() * bytes.length);
        bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(Math.random() * 8));
      }
      expect(() => cache.ingest(payload(bytes), i)).not.toThrow();
    }
    const stats = cache.stats();
    expect(stats.parsed + stats.malformed).toBe(rounds);
    expect(stats.parsed).toBeGreaterThan(0);
    expect(stats.malformed).toBeGreaterThan(0);
  });
});
