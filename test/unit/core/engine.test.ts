import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ASN_ATTRIBUTION } from '../../../src/core/asn/asn-table.js';
import { createEngine, type EngineTuning } from '../../../src/core/engine.js';
import type { EngineOptions } from '../../../src/core/engine-types.js';
import type { Geolocator } from '../../../src/core/geo/geolocator.js';
import { FALLBACK_HOME } from '../../../src/core/home/home.js';
import type { ConnectionEvent, StatsMessage, WatchMessage } from '../../../src/shared/contract.js';
import { lookup, payload, response } from './fakes/dns.js';
import { FakeSource } from './fakes/fake-source.js';
import { flow, owner } from './fakes/records.js';

const dir = mkdtempSync(join(tmpdir(), 'snitchmap-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function stubGeolocator(lookups: string[]): Geolocator {
  return {
    info: { database: 'Stub-City', built: '2026-01-01', attribution: 'stub data' },
    lookup(ip) {
      lookups.push(ip);
      return ip === '8.8.8.8' ? { country: 'US', city: 'Mountain View', lat: 37.42, lon: -122.08 } : null;
    },
  };
}

function setup(options: Partial<EngineOptions> = {}, tuning: EngineTuning = {}) {
  const source = new FakeSource();
  const warnings: string[] = [];
  const lookups: string[] = [];
  const configDir = mkdtempSync(join(dir, 'config-'));
  const engine = createEngine(
    { source, configDir, onWarning: (message) => warnings.push(message), ...options },
    {
      geolocator: () => stubGeolocator(lookups),
      guessHome: () => ({ lat: 1, lon: 2, label: 'Guessed' }),
      userOf: () => 'alice',
      ...tuning,
    },
  );
  const messages: WatchMessage[] = [];
  engine.onMessage((message) => messages.push(message));
  const connections = () => messages.filter((message): message is ConnectionEvent => message.type === 'connection');
  const stats = () => messages.filter((message): message is StatsMessage => message.type === 'stats');
  return { source, engine, warnings, lookups, messages, connections, stats, configDir };
}

describe('engine', () => {
  it('says hello first, with the source probes, GeoIP database, home and limitations', async () => {
    const { engine, messages } = setup();
    const hello = await engine.start();
    expect(messages[0]).toBe(hello);
    expect(hello).toMatchObject({
      type: 'hello', version: 1, capture: 'ebpf', probes: { tc: 'tcx', close: null },
      geoip: { database: 'Stub-City', built: '2026-01-01', attribution: 'stub data' },
      home: { lat: 1, lon: 2, label: 'Guessed' }, homeSource: 'time-zone', limitations: [],
      attributions: ['stub data', ASN_ATTRIBUTION],
    });
    expect(engine.hello()).toBe(hello);
    await engine.stop();
  });

  it('enriches a connection with the DNS name, scope, location and ASN', async () => {
    const { engine, source, connections } = setup();
    await engine.start();
    source.feed.dns(lookup('www.example.com', [
      { type: 'CNAME', name: 'www.example.com', ttl: 60, data: 'edge.example.net' },
      { type: 'A', name: 'edge.example.net', ttl: 60, data: '8.8.8.8' },
    ]));
    source.feed.owners([owner({ remoteIp: '8.8.8.8' })]);
    source.feed.flows([flow({ remoteIp: '8.8.8.8' })], Date.now());
    const [open] = connections();
    expect(open).toMatchObject({
      event: 'open',
      remote: {
        ip: '8.8.8.8', port: 443, host: 'www.example.com', scope: 'internet',
        geo: { country: 'US', city: 'Mountain View', lat: 37.42, lon: -122.08 },
        asn: { number: 15169, org: expect.stringMatching(/google/i) },
      },
      process: { pid: 4321, user: 'alice' },
    });
    await engine.stop();
  });

  it('does not let a forged DNS answer (no query sent) name the next connection, and counts it', async () => {
    const { engine, source, connections, stats } = setup({}, { statsIntervalMs: 1_000 });
    await engine.start();
    const forged = response('login.bank.example', [{ type: 'A', name: 'login.bank.example', ttl: 300, data: '127.0.0.9' }]);
    source.feed.dns([payload(forged, Date.now(), false, { proto: 17, localIp: '127.0.0.1', localPort: 53, remoteIp: '127.0.0.1', remotePort: 41000 })]);
    source.feed.owners([owner({ localIp: '127.0.0.1', remoteIp: '127.0.0.9' })]);
    source.feed.flows([flow({ localIp: '127.0.0.1', remoteIp: '127.0.0.9' })], Date.now());
    expect(connections()[0]).toMatchObject({ event: 'open', remote: { ip: '127.0.0.9', host: null } });
    vi.advanceTimersByTime(1_000);
    expect(stats().at(-1)).toMatchObject({ dnsUnmatched: 1, dnsMalformed: 0 });
    await engine.stop();
  });

  it('places LAN addresses from custom locations and never asks the database about them', async () => {
    const locations = join(dir, 'office.json');
    writeFileSync(locations, JSON.stringify([{ cidr: '10.9.0.0/16', label: 'Office', lat: 48.85, lon: 2.35, country: 'FR' }]));
    const { engine, source, connections, lookups } = setup({ locationsPath: locations });
    await engine.start();
    source.feed.owners([owner({ remoteIp: '10.9.1.1', remotePort: 22 }), owner({ remoteIp: '192.168.1.1', remotePort: 22, localPort: 40001 })]);
    source.feed.flows([flow({ remoteIp: '10.9.1.1', remotePort: 22 }), flow({ remoteIp: '192.168.1.1', remotePort: 22, localPort: 40001 })], Date.now());
    expect(connections().map((event) => [event.remote.scope, event.remote.geo, event.remote.asn])).toEqual([
      ['lan', { country: 'FR', city: 'Office', lat: 48.85, lon: 2.35 }, null],
      ['lan', null, null],
    ]);
    expect(lookups).toEqual([]);
    await engine.stop();
  });

  it('reads locations.json from the config dir and home from config.json; --home wins over both', async () => {
    const first = setup();
    writeFileSync(join(first.configDir, 'config.json'), JSON.stringify({ home: { lat: 10, lon: 20, label: 'Config home' } }));
    writeFileSync(join(first.configDir, 'locations.json'), '[\n  {"cidr": "bad"}\n]');
    const engine = createEngine({ source: new FakeSource(), configDir: first.configDir, onWarning: (message) => first.warnings.push(message) }, { geolocator: () => stubGeolocator([]), asnTablePath: null });
    expect(engine.hello().home).toEqual({ lat: 10, lon: 20, label: 'Config home' });
    expect(engine.hello().homeSource).toBe('set');
    expect(first.warnings).toEqual([
      expect.stringMatching(/locations\.json:2: entry 1 skipped/),
      expect.stringMatching(/ASN table .* not found/),
    ]);
    const withHome = createEngine({ source: new FakeSource(), configDir: first.configDir, home: { lat: -5, lon: 5 } }, { geolocator: () => stubGeolocator([]) });
    expect(withHome.hello().home).toEqual({ lat: -5, lon: 5, label: 'Home' });
    expect(withHome.hello().homeSource).toBe('set');
    // No usable time zone: the Greenwich placeholder, which a fleet map must not take for a place.
    const nowhere = createEngine({ source: new FakeSource(), configDir: mkdtempSync(join(dir, 'config-')) }, { geolocator: () => stubGeolocator([]), asnTablePath: null, guessHome: () => FALLBACK_HOME });
    expect(nowhere.hello()).toMatchObject({ home: FALLBACK_HOME, homeSource: 'none' });
  });

  it('refuses to start on a --geoip or --locations file it cannot use, naming it without quoting it', () => {
    const geoip = join(dir, 'corrupt.mmdb');
    writeFileSync(geoip, 'SECRET-GEOIP-BYTES not an mmdb');
    const locations = join(dir, 'secret-locations.json');
    writeFileSync(locations, 'root:SECRET-LOCATIONS-BYTES:0:0');
    const options = { source: new FakeSource(), configDir: dir, onWarning: () => undefined };
    const tuning = { guessHome: () => ({ lat: 0, lon: 0, label: 'x' }) };
    expect(() => createEngine({ ...options, geoipPath: geoip }, tuning)).toThrow(`${geoip} is not a valid MaxMind DB (.mmdb) file`);
    expect(() => createEngine({ ...options, locationsPath: locations }, tuning)).toThrow(new RegExp(`^${locations}: not valid JSON`));
    for (const path of [geoip, locations]) {
      try {
        createEngine({ ...options, ...(path === geoip ? { geoipPath: path } : { locationsPath: path }) }, tuning);
      } catch (error) {
        expect((error as Error).message).not.toMatch(/SECRET/);
      }
    }
  });

  it('emits stats periodically, adding kernel and engine evictions and counting bad DNS', async () => {
    const { engine, source, stats } = setup({}, { statsIntervalMs: 1_000, tracker: { maxConnections: 1 } });
    await engine.start();
    source.feed.stats({ ts: 0, eventsLost: 7, flowsEvicted: 3, parseErrors: 0, interfaces: [] });
    source.feed.flows([flow({ localPort: 1 }), flow({ localPort: 2 })], Date.now());
    source.feed.dns([payload(Buffer.from([1, 2, 3]))]);
    vi.advanceTimersByTime(1_000);
    // Both opened without an owner; the evicted one stays counted (unattributed is cumulative).
    expect(stats().at(-1)).toMatchObject({ type: 'stats', eventsLost: 7, flowsEvicted: 4, unattributed: 2, connections: 1, dnsMalformed: 1 });
    await engine.stop();
  });

  it('ticks: a flow without an owner opens after the wait, updates follow the cadence', async () => {
    const { engine, source, connections } = setup({}, { tickMs: 100, tracker: { ownerWaitMs: 300, updateIntervalMs: 1_000 } });
    await engine.start();
    source.feed.flows([flow()], Date.now());
    vi.advanceTimersByTime(200);
    expect(connections()).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(connections()).toHaveLength(1);
    for (let i = 2; i < 30; i++) {
      source.feed.flows([flow({ txBytes: 60 * i })], Date.now());
      vi.advanceTimersByTime(100);
    }
    expect(connections().filter((event) => event.event === 'update').length).toBeLessThanOrEqual(3);
    await engine.stop();
  });

  it('holds records a source delivers before its hello, and emits them after it', async () => {
    const source = new FakeSource();
    // The helper's first batch can arrive in the same read as its hello: before start() resolves.
    const early = Object.assign(Object.create(source) as FakeSource, {
      start: async (sink: Parameters<FakeSource['start']>[0]) => {
        const hello = await source.start(sink);
        sink.owners([owner()]);
        sink.flows([flow()], Date.now());
        return hello;
      },
    });
    const held = createEngine({ source: early, configDir: dir }, { geolocator: () => stubGeolocator([]), guessHome: () => ({ lat: 0, lon: 0, label: 'x' }), userOf: () => 'alice' });
    const seen: string[] = [];
    held.onMessage((message) => seen.push(message.type === 'connection' ? `${message.type}:${message.event}` : message.type));
    await held.start();
    expect(seen).toEqual(['hello', 'connection:open']);
    await held.stop();
  });

  it('a failed source is reported and its connections are closed', async () => {
    const { engine, source, connections, warnings } = setup();
    await engine.start();
    source.feed.owners([owner()]);
    source.feed.flows([flow()], Date.now());
    source.feed.failed(new Error('helper exited with code 1'));
    expect(warnings).toContain('capture stopped: helper exited with code 1');
    expect(connections().map((event) => event.event)).toEqual(['open', 'close']);
  });

  it('forwards pause, resume and stop to the source, and clear() to its listeners', async () => {
    const { engine, source } = setup();
    const cleared = vi.fn();
    engine.onCleared(cleared);
    await engine.start();
    await engine.pause();
    await engine.resume();
    engine.clear();
    await engine.stop();
    expect(source.calls).toEqual(['start', 'pause', 'resume', 'stop']);
    expect(cleared).toHaveBeenCalledTimes(1);
  });
});

describe('engine robustness', () => {
  it('a throwing listener is reported and does not stop the others', async () => {
    const { engine, source, connections, warnings } = setup();
    engine.onMessage((message) => {
      if (message.type === 'connection') throw new Error('EPIPE');
    });
    await engine.start();
    source.feed.owners([owner(), owner({ localPort: 40001 })]);
    source.feed.flows([flow(), flow({ localPort: 40001 })], Date.now());
    expect(connections()).toHaveLength(2);
    // Once per minute, however many messages fail (a closed stdout fails every one).
    expect(warnings.filter((message) => message.startsWith('message listener failed: EPIPE'))).toEqual(['message listener failed: EPIPE']);
    await engine.stop();
  });

  it('reports a corrupt GeoIP record once a minute, not once per lookup', async () => {
    const corrupt: Geolocator = {
      info: { database: 'Broken-City', built: '2026-01-01', attribution: 'x' },
      lookup: () => {
        throw new Error('Unknown type 14 at offset 1234');
      },
    };
    const { engine, source, connections, warnings } = setup({}, { geolocator: () => corrupt });
    await engine.start();
    const lookups = (from: number) => {
      const ips = Array.from({ length: 200 }, (_, i) => `8.8.${from}.${i}`);
      source.feed.owners(ips.map((remoteIp) => owner({ remoteIp })));
      source.feed.flows(ips.map((remoteIp) => flow({ remoteIp })), Date.now());
    };
    lookups(1);
    expect(connections()).toHaveLength(200);
    const geoWarnings = () => warnings.filter((message) => message.startsWith('GeoIP lookup'));
    expect(geoWarnings()).toEqual([expect.stringMatching(/^GeoIP lookup of 8\.8\.1\.0 failed: Unknown type 14/)]);
    vi.advanceTimersByTime(60_000);
    lookups(2);
    expect(geoWarnings()).toHaveLength(2);
    expect(geoWarnings()[1]).toMatch(/^GeoIP lookup of 8\.8\.2\.0 failed: .*\(and 199 more like it since the last report\)$/);
    await engine.stop();
  });

  it('start() twice (even concurrently) starts the source and says hello once', async () => {
    const { engine, source, messages } = setup();
    const [first, second] = await Promise.all([engine.start(), engine.start()]);
    expect(second).toBe(first);
    expect(await engine.start()).toBe(first);
    expect(messages.filter((message) => message.type === 'hello')).toHaveLength(1);
    expect(source.calls).toEqual(['start']);
    await engine.stop();
  });
});

describe('engine restart after a failure', () => {
  it('start() after the source failed starts it again with a new hello', async () => {
    const { engine, source, messages } = setup();
    await engine.start();
    source.feed.failed(new Error('helper died'));
    await engine.start();
    expect(source.calls).toEqual(['start', 'start']);
    expect(messages.filter((message) => message.type === 'hello')).toHaveLength(2);
    await engine.stop();
  });
});
