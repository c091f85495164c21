// Forged DNS answers, as an unprivileged local user or a host on the link would send them, fed to
// the name cache the way the capture delivers packets (tx = sent by this machine, rx = arrived).
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { QUERY_LIFETIME_MS } from '../../../src/core/dns/answer-gate.js';
import { NameCache } from '../../../src/core/dns/name-cache.js';
import { payload, query, response, RESOLVER, sent, type Tuple } from './fakes/dns.js';

const OWN = new Set(['10.0.0.2', 'fe80::2']);
const isOwnAddress = (ip: string): boolean => OWN.has(ip) || ip.startsWith('127.') || ip === '::1';
const cache = (): NameCache => new NameCache({ isOwnAddress });
const a = (name: string, ip: string) => ({ type: 'A' as const, name, ttl: 300, data: ip });

/** The attack of issue 12: a forged response sent as `nobody` to 127.0.0.1:53, where nothing listens. */
const TO_LOOPBACK_53: Tuple = { proto: 17, localIp: '127.0.0.1', localPort: 53, remoteIp: '127.0.0.1', remotePort: 41000 };

describe('DNS answers are believed only for queries this machine sent', () => {
  it('ignores a forged answer to 127.0.0.1:53 with no matching query, and counts it', () => {
    const names = cache();
    const forged = response('login.bank.example', [a('login.bank.example', '127.0.0.9')]);
    // Loopback: the same packet is seen leaving (tx) and arriving (rx) with the ends swapped.
    names.ingest(payload(forged, 0, false, { ...TO_LOOPBACK_53, localPort: 41000, remotePort: 53 }, 'tx'), 0);
    names.ingest(payload(forged, 0, false, TO_LOOPBACK_53), 0);
    expect(names.hostFor('127.0.0.9', 1)).toBeNull();
    expect(names.stats()).toMatchObject({ unmatched: 1, parsed: 2 });
  });

  it('accepts the answer to a query once, with the reversed tuple, id and question', () => {
    const names = cache();
    names.ingest(sent(query('www.example.com', 'A', 7)), 0);
    names.ingest(payload(response('www.example.com', [a('www.example.com', '198.51.100.1')], 'A', 7)), 1);
    expect(names.hostFor('198.51.100.1', 2)).toBe('www.example.com');
    // A replay (or a second, forged answer racing the first) finds the query already answered.
    names.ingest(payload(response('www.example.com', [a('www.example.com', '198.51.100.66')], 'A', 7)), 3);
    expect(names.hostFor('198.51.100.66', 4)).toBeNull();
    expect(names.stats().unmatched).toBe(1);
  });

  it('refuses answers with another id, question, type, port, address or protocol', () => {
    const forgeries: Array<{ what: string; bytes: Buffer; tuple?: Tuple }> = [
      { what: 'other id', bytes: response('www.example.com', [a('www.example.com', '203.0.113.1')], 'A', 8) },
      { what: 'other name', bytes: response('login.bank.example', [a('login.bank.example', '203.0.113.1')], 'A', 7) },
      { what: 'other type', bytes: response('www.example.com', [{ type: 'AAAA', name: 'www.example.com', ttl: 1, data: '2001:db8::1' }], 'AAAA', 7) },
      { what: 'other local port', bytes: response('www.example.com', [a('www.example.com', '203.0.113.1')], 'A', 7), tuple: { ...RESOLVER, localPort: 40001 } },
      { what: 'other server', bytes: response('www.example.com', [a('www.example.com', '203.0.113.1')], 'A', 7), tuple: { ...RESOLVER, remoteIp: '10.0.0.66' } },
      { what: 'TCP instead of UDP', bytes: response('www.example.com', [a('www.example.com', '203.0.113.1')], 'A', 7), tuple: { ...RESOLVER, proto: 6 } },
    ];
    for (const { what, bytes, tuple } of forgeries) {
      const names = cache();
      names.ingest(sent(query('www.example.com', 'A', 7)), 0);
      names.ingest(payload(bytes, 0, false, tuple), 1);
      expect(names.hostFor('203.0.113.1', 2), what).toBeNull();
      expect(names.hostFor('2001:db8::1', 2), what).toBeNull();
      expect(names.stats().unmatched, what).toBe(1);
    }
  });

  it('forgets queries after their lifetime, and never believes responses it sent or queries it received', () => {
    const names = cache();
    names.ingest(sent(query('late.example', 'A', 9)), 0);
    // Late on the wire (the packets' ts), though read at once.
    names.ingest(payload(response('late.example', [a('late.example', '203.0.113.2')], 'A', 9), QUERY_LIFETIME_MS), QUERY_LIFETIME_MS);
    expect(names.hostFor('203.0.113.2', QUERY_LIFETIME_MS + 1)).toBeNull();
    // This machine answering someone (tx response), and someone asking it (rx query): not ours.
    names.ingest(sent(response('served.example', [a('served.example', '203.0.113.3')])), 0);
    names.ingest(payload(query('asked.example')), 0);
    expect(names.hostFor('203.0.113.3', 1)).toBeNull();
    expect(names.stats().unmatched).toBe(1);
  });

  it('times an answer by its packet, not by when the engine read it: a backlog read late still names', () => {
    const names = cache();
    // Query and answer 40 ms apart on the wire; the engine reads the answer a minute later.
    names.ingest(sent(query('backlog.example', 'A', 11), RESOLVER, 1_000), 1_000);
    names.ingest(payload(response('backlog.example', [a('backlog.example', '203.0.113.4')], 'A', 11), 1_040), 61_000);
    expect(names.hostFor('203.0.113.4', 61_001)).toBe('backlog.example');
    // The reverse: both read at once, but the answer's packet came after the query's lifetime.
    names.ingest(sent(query('slow.example', 'A', 12), RESOLVER, 2_000), 70_000);
    names.ingest(payload(response('slow.example', [a('slow.example', '203.0.113.5')], 'A', 12), 2_000 + QUERY_LIFETIME_MS + 1), 70_001);
    expect(names.hostFor('203.0.113.5', 70_002)).toBeNull();
    expect(names.stats().unmatched).toBe(1);
  });

  it('keeps its pending-query table bounded: a flood of queries only displaces older ones', () => {
    const names = cache();
    for (let id = 0; id < 5_000; id++) names.ingest(sent(query(`flood${id}.example`, 'A', id)), 0);
    names.ingest(payload(response('flood0.example', [a('flood0.example', '203.0.113.4')], 'A', 0)), 1);
    names.ingest(payload(response('flood4999.example', [a('flood4999.example', '203.0.113.5')], 'A', 4999)), 1);
    expect(names.hostFor('203.0.113.4', 2)).toBeNull();
    expect(names.hostFor('203.0.113.5', 2)).toBe('flood4999.example');
  });
});

describe('LLMNR and legacy unicast mDNS: replies to multicast queries', () => {
  const querier: Tuple = { proto: 17, localIp: '10.0.0.2', localPort: 45000, remoteIp: '224.0.0.252', remotePort: 5355 };
  const reply = (from: string, port = 5355): Tuple => ({ proto: 17, localIp: '10.0.0.2', localPort: 45000, remoteIp: from, remotePort: port });

  it('accepts replies from hosts on the link to the querier address, port, id and question', () => {
    const names = cache();
    names.ingest(sent(query('nas', 'A', 11), querier), 0);
    names.ingest(payload(response('nas', [a('nas', '10.0.0.7')], 'A', 11), 0, false, reply('10.0.0.7')), 1);
    names.ingest(payload(response('nas', [a('nas', '10.0.0.8')], 'A', 11), 0, false, reply('10.0.0.8')), 1);
    expect(names.hostFor('10.0.0.7', 2)).toBe('nas');
    expect(names.hostFor('10.0.0.8', 2)).toBe('nas');
  });

  it('refuses replies sent from an address of this machine (any local user can bind 5355)', () => {
    const names = cache();
    names.ingest(sent(query('nas', 'A', 11), querier), 0);
    for (const from of ['10.0.0.2', '127.0.0.1']) names.ingest(payload(response('nas', [a('nas', '10.0.0.9')], 'A', 11), 0, false, reply(from)), 1);
    // The same user playing both ends on loopback: query to its own 127.0.0.1:5355, answer from there.
    const own: Tuple = { proto: 17, localIp: '127.0.0.1', localPort: 46000, remoteIp: '127.0.0.1', remotePort: 5355 };
    names.ingest(sent(query('login.bank.example', 'A', 12), own), 0);
    names.ingest(payload(response('login.bank.example', [a('login.bank.example', '127.0.0.9')], 'A', 12), 0, false, own), 1);
    expect(names.hostFor('10.0.0.9', 2)).toBeNull();
    expect(names.hostFor('127.0.0.9', 2)).toBeNull();
    expect(names.stats().unmatched).toBe(3);
  });

  it('accepts a legacy unicast mDNS reply (port 5353 to the one-shot querier port) only with its id and question', () => {
    const names = cache();
    const oneShot: Tuple = { proto: 17, localIp: '10.0.0.2', localPort: 45001, remoteIp: '224.0.0.251', remotePort: 5353 };
    const back: Tuple = { proto: 17, localIp: '10.0.0.2', localPort: 45001, remoteIp: '10.0.0.7', remotePort: 5353 };
    names.ingest(sent(query('printer.local', 'A', 77), oneShot), 0);
    names.ingest(payload(response('printer.local', [a('printer.local', '10.0.0.7')], 'A', 78), 0, false, back), 1);
    expect(names.hostFor('10.0.0.7', 2)).toBeNull();
    names.ingest(payload(response('printer.local', [a('printer.local', '10.0.0.7')], 'A', 77), 0, false, back), 1);
    expect(names.hostFor('10.0.0.7', 2)).toBe('printer.local');
  });
});

describe('mDNS between 5353 sockets (no id, no question in responses)', () => {
  const ask: Tuple = { proto: 17, localIp: '10.0.0.2', localPort: 5353, remoteIp: '224.0.0.251', remotePort: 5353 };
  const multicastAnswer = (from: string): Tuple => ({ proto: 17, localIp: '224.0.0.251', localPort: 5353, remoteIp: from, remotePort: 5353 });
  const announcement = (...answers: dnsPacket.Answer[]): Buffer =>
    dnsPacket.encode({ type: 'response', id: 0, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [], answers });

  it('takes only the records of names this machine asked, from hosts on the link', () => {
    const names = cache();
    names.ingest(sent(query('printer.local', 'A', 0), ask), 0);
    names.ingest(payload(announcement(a('printer.local', '10.0.0.7'), a('login.bank.example', '10.0.0.10')), 0, false, multicastAnswer('10.0.0.7')), 1);
    expect(names.hostFor('10.0.0.7', 2)).toBe('printer.local');
    expect(names.hostFor('10.0.0.10', 2)).toBeNull();
  });

  it('ignores unsolicited announcements and anything sent from this machine', () => {
    const names = cache();
    names.ingest(payload(announcement(a('unasked.local', '10.0.0.11')), 0, false, multicastAnswer('10.0.0.7')), 1);
    names.ingest(sent(query('printer.local', 'A', 0), ask), 0);
    names.ingest(payload(announcement(a('printer.local', '10.0.0.12')), 0, false, multicastAnswer('10.0.0.2')), 1);
    const unicastFromLoopback: Tuple = { proto: 17, localIp: '10.0.0.2', localPort: 5353, remoteIp: '127.0.0.1', remotePort: 5353 };
    names.ingest(payload(announcement(a('printer.local', '10.0.0.13')), 0, false, unicastFromLoopback), 1);
    expect([names.hostFor('10.0.0.11', 2), names.hostFor('10.0.0.12', 2), names.hostFor('10.0.0.13', 2)]).toEqual([null, null, null]);
    expect(names.stats().unmatched).toBe(3);
  });
});
