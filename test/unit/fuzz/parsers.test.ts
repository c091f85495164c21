// Bounded-time fuzzing (fixed seed, a second or so per target) of the parsers that take input
// from another trust domain: the helper protocol (commands into the root helper, messages out of
// it), the web protocol of `serve` (frames from a browser page, frames from the server) and DNS
// ingestion (packets from anyone). Random and mutated inputs must never throw out of them, never
// stall, and never get past them as something they are not.

import { createHistoryApi } from '../../../src/core/history/api.js';
import { disabledHistory } from '../../../src/core/history/history.js';
import dnsPacket from 'dns-packet';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { handleWebRequest, type ApiBackend } from '../../../src/cli/serve/live-api.js';
import { requireAuth } from '../../../src/cli/serve/socket-auth.js';
import { applySettingsPatch, DEFAULT_SETTINGS } from '../../../src/shared/settings.js';
import { decodeHelperLine } from '../../../src/core/capture/helper-messages.js';
import { NameCache } from '../../../src/core/dns/name-cache.js';
import { parseCommand } from '../../../src/helper/commands.js';
import { HELPER_COMMANDS } from '../../../src/shared/helper-protocol.js';
import { LineReader } from '../../../src/common/line-reader.js';
import type { DnsPayload } from '../../../src/shared/capture.js';
import { parseWebMessage } from '../../../src/web-transport/parse-message.js';
import { FakePublisher } from '../cli/fake-engine.js';
import { fuzz, int, mutateBytes, mutateText, pick, type Random } from './fuzz-kit.js';

/**
 * No single input may take this long: a parser that loops or backtracks on hostile input shows here.
 * Measured in CPU time and generous, since a GC pause can stretch one ordinary case.
 */
const STALL_MS = 1_000;
const BUDGET = { cases: 20_000, minCases: 1_000, budgetMs: 1_200 };

describe('fuzz: helper protocol', () => {
  const commands = ['{"cmd":"pause"}', '{"cmd":"ping","id":7}', '{"cmd":"stats"}', '{"cmd":"shutdown"}', '{"cmd":"resume"}'];
  const messages = [
    '{"t":"hello","protocol":1,"pid":9,"capture":"ebpf","probes":{"tc":"tcx"},"limitations":[],"kernel":"6.1"}',
    '{"t":"flows","ts":1,"flows":[{"ifindex":1,"family":4,"proto":6,"localIp":"10.0.0.1","localPort":1,"remoteIp":"10.0.0.2","remotePort":2}]}',
    '{"t":"dns","messages":[{"ts":1,"direction":"rx","proto":17,"localIp":"10.0.0.1","localPort":5,"remoteIp":"10.0.0.2","remotePort":53,"payload":"AAAA","truncated":false}]}',
    '{"t":"error","code":"internal","message":"x","fatal":false}',
    '{"t":"stats","ts":1,"eventsLost":0,"flowsEvicted":0,"parseErrors":0,"interfaces":[]}',
  ];

  it('parseCommand (root helper stdin): only allow-listed commands, with exactly their fields', async () => {
    const report = await fuzz('parseCommand', BUDGET, (random) => mutateText(random, commands), (line) => {
      const parsed = parseCommand(line);
      if (!parsed.ok) {
        expect(parsed.reason.length).toBeLessThan(400);
        return;
      }
      expect(HELPER_COMMANDS).toContain(parsed.command.cmd);
      const keys = Object.keys(parsed.command).sort();
      expect(keys).toEqual(parsed.command.cmd === 'ping' ? ['cmd', 'id'] : ['cmd']);
      if (parsed.command.cmd === 'ping') expect(Number.isSafeInteger(parsed.command.id)).toBe(true);
    });
    expect(report.slowestMs).toBeLessThan(STALL_MS);
  });

  it('decodeHelperLine (engine side): every line classified, typed messages have their arrays', async () => {
    const report = await fuzz('decodeHelperLine', BUDGET, (random) => mutateText(random, messages), (line) => {
      const decoded = decodeHelperLine(line);
      expect(['message', 'unknown', 'malformed']).toContain(decoded.kind);
      if (decoded.kind === 'unknown') expect(decoded.type.length).toBeLessThanOrEqual(40);
      if (decoded.kind === 'message' && decoded.message.t === 'dns') expect(Array.isArray(decoded.message.messages)).toBe(true);
    });
    expect(report.slowestMs).toBeLessThan(STALL_MS);
  });

  it('LineReader: arbitrary chunking never yields a line over the limit, and loses no short line', async () => {
    const limit = 256;
    const report = await fuzz('LineReader', { cases: 3_000, minCases: 300, budgetMs: 1_000 }, (random) => {
      const lines = Array.from({ length: 1 + int(random, 20) }, () => mutateText(random, commands).replace(/\n/g, ''));
      const bytes = Buffer.from(lines.map((line) => `${line}\n`).join(''));
      const cuts = Array.from({ length: int(random, 10) }, () => int(random, bytes.length)).sort((a, b) => a - b);
      return { lines, bytes, cuts };
    }, ({ lines, bytes, cuts }) => {
      const seen: string[] = [];
      let tooLong = 0;
      const reader = new LineReader(limit, { line: (text) => seen.push(text), tooLong: () => tooLong++ });
      let from = 0;
      for (const cut of [...cuts, bytes.length]) {
        reader.push(bytes.subarray(from, cut));
        from = cut;
      }
      for (const line of seen) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(limit);
      const expected = lines.filter((line) => Buffer.byteLength(line) <= limit && line.replace(/\r$/, '').trim() !== '').map((line) => line.replace(/\r$/, ''));
      // Decoding may replace lone surrogates: compare what the bytes say, not the JS strings.
      expect(seen.map((line) => Buffer.from(line).toString())).toEqual(expected.map((line) => Buffer.from(line).toString()));
      expect(tooLong).toBe(lines.filter((line) => Buffer.byteLength(line) > limit).length);
    });
    expect(report.slowestMs).toBeLessThan(STALL_MS);
  });
});

function isExactAuth(text: string, token: string): boolean {
  try {
    const value = JSON.parse(text) as { kind?: unknown; token?: unknown } | null;
    return value?.kind === 'auth' && value.token === token;
  } catch {
    return false;
  }
}

describe('fuzz: web protocol', () => {
  const publisher = new FakePublisher();
  let settings = DEFAULT_SETTINGS;
  const backend: ApiBackend = {
    getSnapshot: async () => publisher.snapshot(),
    pause: async () => undefined,
    resume: async () => undefined,
    clear: async () => undefined,
    getSettings: async () => settings,
    // The real validation: a patch from a page is input like any other.
    updateSettings: async (patch) => (settings = applySettingsPatch(settings, patch)),
    retryCapture: async () => undefined,
    ...createHistoryApi(() => disabledHistory(null, 'history is off')),
  };
  const requests = [
    '{"id":1,"method":"getSnapshot","params":[]}',
    '{"id":2,"method":"updateSettings","params":[{"home":{"lat":1,"lon":2,"label":"x"}}]}',
    '{"id":3,"method":"updateSettings","params":[{"onlineTiles":{"enabled":true,"url":"https://t.example/{z}/{x}/{y}.png","attribution":"a"}}]}',
    '{"id":4,"method":"pause"}',
    '{"kind":"auth","token":"abc"}',
  ];

  it('handleWebRequest (serve): never rejects; answers only with a result or an error for the request id', async () => {
    const report = await fuzz('handleWebRequest', BUDGET, (random) => mutateText(random, requests), async (raw) => {
      const answer = await handleWebRequest(backend, raw);
      if (answer === null) return;
      expect(['result', 'error']).toContain(answer.kind);
      expect(Number.isSafeInteger((answer as { id: number }).id)).toBe(true);
      expect(() => JSON.stringify(answer)).not.toThrow();
    });
    expect(report.slowestMs).toBeLessThan(STALL_MS);
    expect(settings.onlineTiles.url === '' || settings.onlineTiles.url.startsWith('https://')).toBe(true);
  });

  it('requireAuth (serve): no frame but the exact token opens the socket', async () => {
    const token = 'fuzz-token-0123456789';
    const frames = [`{"kind":"auth","token":"${token}"}`, '{"kind":"auth","token":""}', '{"id":1,"method":"pause","params":[]}'];
    let opened = 0;
    const report = await fuzz('requireAuth', BUDGET, (random) => ({ text: mutateText(random, frames), binary: random() < 0.05 }), ({ text, binary }) => {
      const client = new EventEmitter() as EventEmitter & { close: (code: number) => void; closed?: number };
      client.close = (code) => (client.closed = code);
      let ready = false;
      requireAuth(client as unknown as WebSocket, token, () => (ready = true), 60_000);
      client.emit('message', Buffer.from(text), binary);
      client.emit('close');
      const exact = !binary && isExactAuth(text, token);
      expect(ready).toBe(exact);
      expect(client.closed === undefined).toBe(exact);
      if (ready) opened++;
    });
    expect(report.slowestMs).toBeLessThan(STALL_MS);
    expect(opened).toBeGreaterThan(0);
  });

  it('parseWebMessage (page): every frame is a known message or a description, never a throw', async () => {
    const frames = ['{"kind":"ready"}', '{"kind":"result","id":1,"result":{"a":1}}', '{"kind":"error","id":2,"message":"no"}', '{"kind":"delta","delta":{"events":[]}}'];
    const report = await fuzz('parseWebMessage', BUDGET, (random) => mutateText(random, frames), (frame) => {
      const parsed = parseWebMessage(frame);
      if (typeof parsed === 'string') return;
      expect(['ready', 'result', 'error', 'delta']).toContain(parsed.kind);
      if (parsed.kind === 'delta') expect(Array.isArray(parsed.delta.events)).toBe(true);
    });
    expect(report.slowestMs).toBeLessThan(STALL_MS);
  });
});

describe('fuzz: DNS ingestion', () => {
  const a = (name: string, ip: string) => ({ type: 'A' as const, name, ttl: 60, data: ip });
  const corpus = [
    dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'www.example.com' }] }),
    dnsPacket.encode({ type: 'response', id: 1, questions: [{ type: 'A', name: 'www.example.com' }], answers: [
      { type: 'CNAME', name: 'www.example.com', ttl: 60, data: 'edge.example.net' }, a('edge.example.net', '93.184.216.34'),
    ] }),
    dnsPacket.encode({ type: 'response', id: 0, questions: [], answers: [a('printer.local', '10.0.0.7')] }),
    dnsPacket.encode({ type: 'response', id: 9, questions: [{ type: 'AAAA', name: 'six.example' }], answers: [
      { type: 'AAAA', name: 'six.example', ttl: 5, data: '2001:db8::1' },
    ] }),
  ];
  const tuples = [
    { proto: 17, localIp: '10.0.0.2', localPort: 40000, remoteIp: '10.0.0.1', remotePort: 53 },
    { proto: 17, localIp: '10.0.0.2', localPort: 5353, remoteIp: '224.0.0.251', remotePort: 5353 },
    { proto: 17, localIp: '224.0.0.251', localPort: 5353, remoteIp: '10.0.0.7', remotePort: 5353 },
    { proto: 17, localIp: '10.0.0.2', localPort: 45000, remoteIp: '224.0.0.252', remotePort: 5355 },
    { proto: 6, localIp: '127.0.0.1', localPort: 53, remoteIp: '127.0.0.1', remotePort: 41000 },
  ];

  it('NameCache.ingest: random and mutated packets in any direction never throw, stall or grow it past its bounds', async () => {
    const names = new NameCache({ maxEntries: 200, isOwnAddress: (ip) => ip === '10.0.0.2' || ip.startsWith('127.') });
    let now = 0;
    const generate = (random: Random): DnsPayload => ({
      ts: now,
      direction: random() < 0.5 ? 'tx' : 'rx',
      ...pick(random, tuples),
      payload: random() < 0.02 ? '%%%not base64' : mutateBytes(random, corpus).toString('base64'),
      truncated: random() < 0.1,
    });
    const report = await fuzz('NameCache.ingest', BUDGET, generate, (message) => {
      names.ingest(message, (now += 7));
    });
    const stats = names.stats();
    expect(stats.entries).toBeLessThanOrEqual(200);
    expect(stats.parsed + stats.malformed).toBe(report.cases);
    expect(stats.parsed).toBeGreaterThan(0);
    expect(stats.malformed).toBeGreaterThan(0);
    expect(report.slowestMs).toBeLessThan(STALL_MS);
  });
});
