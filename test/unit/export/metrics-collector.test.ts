// The Prometheus series computed from engine messages: byte deltas per connection, labels, the
// process budget, monotonic loss counters, capture info, and the exposition formats.

import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsCollector, type MetricsCollector } from '../../../src/core/export/metrics/collector.js';
import { connection } from '../cli/fake-engine.js';
import { MetricsEngine } from './metrics-engine.js';

let collector: MetricsCollector | null = null;
afterEach(() => {
  collector?.dispose();
  collector = null;
});

function setup(maxProcesses = 100) {
  const engine = new MetricsEngine();
  collector = createMetricsCollector(engine, { maxProcesses });
  return { engine, collector };
}

/** `name{labels} value` lines of the text format, as a map. */
async function samples(c: MetricsCollector): Promise<Map<string, number>> {
  const text = await c.text.metrics();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('metrics collector', () => {
  it('counts bytes as deltas of the cumulative counters, labelled by direction, process, proto, country, scope', async () => {
    const { engine, collector } = setup();
    engine.emit(connection({ id: 'a', event: 'open', txBytes: 100 }));
    engine.emit(connection({ id: 'a', event: 'update', txBytes: 300, rxBytes: 50 }));
    engine.emit(connection({ id: 'a', event: 'close', txBytes: 400, rxBytes: 50 }));
    engine.emit(connection({ id: 'a', event: 'update', txBytes: 900 })); // after its close: ignored
    const s = await samples(collector);
    expect(s.get('snitchmap_bytes_total{direction="tx",process="curl",proto="tcp",country="FR",scope="lan"}')).toBe(400);
    expect(s.get('snitchmap_bytes_total{direction="rx",process="curl",proto="tcp",country="FR",scope="lan"}')).toBe(50);
    expect(s.get('snitchmap_connections_total{process="curl",proto="tcp",direction="outbound",country="FR",scope="lan"}')).toBe(1);
  });

  it('names the process by its app when the event carries one, and countries without a location or ZZ as unknown', async () => {
    const { engine, collector } = setup();
    const process = { pid: 7, name: 'GeckoMain', exe: null, cmdline: null, uid: 1000, user: null, app: { kind: 'flatpak' as const, id: 'org.mozilla.firefox', name: 'Firefox' } };
    engine.emit(connection({ id: 'a', process, txBytes: 10 }));
    engine.emit(connection({ id: 'b', process: null, remote: { ip: '10.0.0.9', port: 80, host: null, scope: 'lan', geo: null, asn: null }, txBytes: 20 }));
    engine.emit(connection({ id: 'c', remote: { ip: '10.0.0.8', port: 80, host: null, scope: 'lan', geo: { country: 'ZZ', city: null, lat: 0, lon: 0 }, asn: null }, txBytes: 30 }));
    const s = await samples(collector);
    expect(s.get('snitchmap_bytes_total{direction="tx",process="Firefox",proto="tcp",country="FR",scope="lan"}')).toBe(10);
    expect(s.get('snitchmap_bytes_total{direction="tx",process="unknown",proto="tcp",country="unknown",scope="lan"}')).toBe(20);
    expect(s.get('snitchmap_bytes_total{direction="tx",process="curl",proto="tcp",country="unknown",scope="lan"}')).toBe(30);
  });

  it('keeps the first N process names and counts the rest as other', async () => {
    const { engine, collector } = setup(100);
    for (let i = 0; i < 150; i++) {
      engine.emit(connection({ id: `c${i}`, process: { pid: 100 + i, name: `proc-${i}`, exe: null, cmdline: null, uid: 0, user: null }, txBytes: 1 }));
    }
    const s = await samples(collector);
    const processes = new Set([...s.keys()].filter((k) => k.startsWith('snitchmap_bytes_total')).map((k) => /process="([^"]*)"/.exec(k)?.[1]));
    expect(processes.size).toBe(101);
    expect(processes.has('proc-99')).toBe(true);
    expect(processes.has('proc-100')).toBe(false);
    expect(s.get('snitchmap_bytes_total{direction="tx",process="other",proto="tcp",country="FR",scope="lan"}')).toBe(50);
  });

  it('escapes hostile process names and never puts addresses in labels', async () => {
    const { engine, collector } = setup();
    const name = 'a"b\\c\nd{}=,';
    engine.emit(connection({ id: 'h', process: { pid: 1, name, exe: null, cmdline: null, uid: 0, user: null }, txBytes: 5 }));
    const text = await collector.text.metrics();
    expect(text).toContain('process="a\\"b\\\\cd{}=,"');
    expect(text).not.toContain('10.0.0.2');
    expect(text).not.toContain('10.0.0.1');
  });

  it('counts connections that closed without ever having a process as unattributed', async () => {
    const { engine, collector } = setup();
    engine.emit(connection({ id: 'n', process: null }));
    engine.emit(connection({ id: 'n', event: 'close', process: null }));
    engine.emit(connection({ id: 'late', process: null }));
    engine.emit(connection({ id: 'late', event: 'update' }));
    engine.emit(connection({ id: 'late', event: 'close' }));
    expect((await samples(collector)).get('snitchmap_unattributed_total')).toBe(1);
  });

  it('keeps loss counters monotonic when a restarted capture starts them from zero', async () => {
    const { engine, collector } = setup();
    engine.counters = { ...engine.counters, eventsLost: 5, flowsEvicted: 3 };
    expect((await samples(collector)).get('snitchmap_events_lost_total')).toBe(5);
    engine.counters = { ...engine.counters, eventsLost: 2, flowsEvicted: 4 };
    const s = await samples(collector);
    expect(s.get('snitchmap_events_lost_total')).toBe(7);
    expect(s.get('snitchmap_flows_evicted_total')).toBe(4);
  });

  it('reports open connections per process and proto, and the capture info from the hello', async () => {
    const { engine, collector } = setup();
    engine.live = [connection({ id: 'x' }), connection({ id: 'y' }), connection({ id: 'z', proto: 'udp' }), connection({ id: 'w', event: 'close' })];
    engine.current = { ...engine.current, capture: 'ebpf', probes: { ...engine.current.probes, tc: 'tcx', connect: 'tp_btf:inet_sock_set_state' } };
    const s = await samples(collector);
    expect(s.get('snitchmap_open_connections{process="curl",proto="tcp"}')).toBe(2);
    expect(s.get('snitchmap_open_connections{process="curl",proto="udp"}')).toBe(1);
    expect(s.get('snitchmap_capture_info{mode="ebpf",tc="tcx",connect="tp_btf:inet_sock_set_state",accept="none",udp="none",close="none",exec="none",dns="none",icmp="none"}')).toBe(1);
  });

  it("exports this host's home and where it came from, one series that follows the hello", async () => {
    const { engine, collector } = setup();
    engine.current = { ...engine.current, home: { lat: 48.856613, lon: 2.352222, label: 'Paris\u0007 lab' }, homeSource: 'set' };
    expect([...(await samples(collector))].filter(([k]) => k.startsWith('snitchmap_home_info'))).toEqual([
      ['snitchmap_home_info{lat="48.8566",lon="2.3522",label="Paris lab",source="set"}', 1],
    ]);
    engine.current = { ...engine.current, home: { lat: 51.4779, lon: -0.0015, label: 'Greenwich (no time zone location)' }, homeSource: 'none' };
    expect([...(await samples(collector))].filter(([k]) => k.startsWith('snitchmap_home_info'))).toEqual([
      ['snitchmap_home_info{lat="51.4779",lon="-0.0015",label="Greenwich (no time zone location)",source="none"}', 1],
    ]);
  });

  it('forgets connection ids on clear() without counting their bytes again', async () => {
    const { engine, collector } = setup();
    engine.emit(connection({ id: 'a', txBytes: 100 }));
    engine.clear();
    engine.emit(connection({ id: 'a', event: 'update', txBytes: 150 })); // an old id: no open, ignored
    engine.emit(connection({ id: 'b', event: 'open', txBytes: 0 }));
    engine.emit(connection({ id: 'b', event: 'update', txBytes: 40 }));
    expect((await samples(collector)).get('snitchmap_bytes_total{direction="tx",process="curl",proto="tcp",country="FR",scope="lan"}')).toBe(140);
  });

  it('speaks OpenMetrics too (counter families without _total, # EOF at the end)', async () => {
    const { engine, collector } = setup();
    engine.emit(connection({ id: 'a', txBytes: 100 }));
    const text = await collector.openMetrics.metrics();
    expect(collector.openMetrics.contentType).toContain('application/openmetrics-text');
    expect(text).toContain('# TYPE snitchmap_bytes counter');
    expect(text).toContain('snitchmap_bytes_total{direction="tx",process="curl",proto="tcp",country="FR",scope="lan"} 100');
    expect(text.trimEnd().endsWith('# EOF')).toBe(true);
  });
});
