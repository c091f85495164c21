// A real Prometheus scrapes the /metrics endpoint (fed by engine messages in this process): the
// exposition it gets parses, the series carry the documented names and labels, and 150 process
// names arrive as at most 101 `process` values. The same with real eBPF capture through
// `watch --metrics` is test/kernel/metrics.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsExporter, type MetricsExporter } from '../../src/core/export/metrics/index.js';
import { dashboardQueries } from '../support/grafana-dashboard.js';
import { prometheusGate, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { connection } from '../unit/cli/fake-engine.js';
import { MetricsEngine } from '../unit/export/metrics-engine.js';

const gate = prometheusGate();

describe.skipIf(gate.skip)('Prometheus scraping snitchmap metrics', () => {
  let engine: MetricsEngine;
  let exporter: MetricsExporter;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    engine = new MetricsEngine();
    engine.current = { ...engine.current, capture: 'ebpf', probes: { ...engine.current.probes, tc: 'tcx', dns: 'tc:dns' }, homeSource: 'set' };
    exporter = await startMetricsExporter(engine, { host: '127.0.0.1', port: 0 }, 100);
    engine.emit(connection({ id: 'q', process: { pid: 5, name: 'quote"me', exe: null, cmdline: null, uid: 0, user: null }, remote: { ip: '1.1.1.1', port: 53, host: null, scope: 'internet', geo: { country: 'AU', city: null, lat: -33, lon: 151 }, asn: null }, proto: 'udp', txBytes: 77, rxBytes: 99 }));
    for (let i = 0; i < 150; i++) {
      engine.emit(connection({ id: `c${i}`, process: { pid: 1000 + i, name: `proc-${i}`, exe: null, cmdline: null, uid: 0, user: null }, txBytes: 10 + i }));
    }
    prometheus = await startPrometheus([{ address: new URL(exporter.url).host, instance: 'lab-1' }]);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
  });

  it('stores snitchmap_capture_info with the capture mode and probes', async () => {
    const info = await prometheus.waitFor('capture info', 'snitchmap_capture_info', (r) => r[0]);
    expect(info.metric).toMatchObject({ instance: 'lab-1', mode: 'ebpf', tc: 'tcx', dns: 'tc:dns', connect: 'none' });
    expect(info.value[1]).toBe('1');
  });

  it("stores snitchmap_home_info with this host's home and where it came from", async () => {
    const home = await prometheus.waitFor('home info', 'snitchmap_home_info', (r) => r[0]);
    expect(home.metric).toMatchObject({ instance: 'lab-1', lat: '1', lon: '2', label: 'Home', source: 'set' });
  });

  it('stores bytes per process, country and scope, with hostile names intact', async () => {
    const rx = await prometheus.waitFor('udp bytes', 'snitchmap_bytes_total{proto="udp"}', (r) => (r.length === 2 ? r : undefined));
    const byDirection = Object.fromEntries(rx.map((s) => [s.metric.direction, s]));
    expect(byDirection.tx?.metric).toMatchObject({ process: 'quote"me', country: 'AU', scope: 'internet' });
    expect(byDirection.tx?.value[1]).toBe('77');
    expect(byDirection.rx?.value[1]).toBe('99');
  });

  it('holds at most 101 process values for 150 distinct process names', async () => {
    const values = await prometheus.waitFor('process values', 'count by (process) (snitchmap_bytes_total)', (r) => (r.length > 0 ? r : undefined));
    const names = values.map((v) => v.metric.process);
    expect(names.length).toBeLessThanOrEqual(101);
    expect(names).toContain('other');
    expect(names).toContain('proc-0');
    const other = await prometheus.query('sum(snitchmap_connections_total{process="other"})');
    // quote"me and proc-0..proc-98 took the 100 places; proc-99..149 are `other`.
    expect(other[0]?.value[1]).toBe('51');
  });

  it('runs every query of the Grafana dashboard, and the geomap query returns countries', async () => {
    await prometheus.waitFor('two scrapes for rate()', 'count_over_time(snitchmap_capture_info[1m])', (r) => (Number(r[0]?.value[1]) >= 2 ? true : undefined));
    for (const query of dashboardQueries()) {
      if (query.startsWith('label_values(')) continue; // Grafana's own function, not PromQL
      const promql = query.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.*');
      await expect(prometheus.query(promql), promql).resolves.toBeInstanceOf(Array);
    }
    const geo = dashboardQueries().find((q) => q.includes('by (country)')) ?? '';
    const countries = await prometheus.query(geo.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.*'));
    expect(countries.map((c) => c.metric.country).sort()).toEqual(['AU', 'FR']);
  });
});
