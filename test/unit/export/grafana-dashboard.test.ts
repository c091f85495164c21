// resources/grafana/snitchmap-dashboard.json against the series the exporter really produces: every
// metric a query names exists, and every label a query filters, groups or shows is one that metric
// carries (or one Prometheus adds: instance, job). test/app/metrics-prometheus.test.ts runs the
// queries on a real Prometheus.

import { describe, expect, it } from 'vitest';
import { createMetricsCollector } from '../../../src/core/export/metrics/collector.js';
import { dashboard, dashboardQueries } from '../../support/grafana-dashboard.js';
import { MetricsEngine } from './metrics-engine.js';

const PROMETHEUS_LABELS = ['instance', 'job'];

/** Series names and their label names, from a collector (the counters' `_total` is the name). */
function exportedSeries(): Map<string, string[]> {
  const collector = createMetricsCollector(new MetricsEngine(), { maxProcesses: 10 });
  const series = new Map<string, string[]>();
  for (const metric of collector.text.getMetricsAsArray() as unknown as { name: string; labelNames: string[] }[]) {
    series.set(metric.name, [...metric.labelNames, ...PROMETHEUS_LABELS]);
  }
  collector.dispose();
  return series;
}

function labelsUsed(expr: string, legend = ''): string[] {
  const inSelectors = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...(m[1] ?? '').matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1] ?? ''));
  const grouped = [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => (m[1] ?? '').split(',').map((s) => s.trim()));
  const variables = [...expr.matchAll(/label_values\([^,]+,\s*(\w+)\)/g)].map((m) => m[1] ?? '');
  const shown = [...legend.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? '');
  return [...new Set([...inSelectors, ...grouped, ...variables, ...shown].filter((l) => l !== ''))];
}

describe('Grafana dashboard', () => {
  const series = exportedSeries();

  it('names only series the exporter produces, with labels they carry', () => {
    const d = dashboard();
    const checked: string[] = [];
    for (const panel of d.panels) {
      for (const target of panel.targets ?? []) {
        const metrics = [...target.expr.matchAll(/\bsnitchmap_\w+/g)].map((m) => m[0]);
        expect(metrics.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
        for (const metric of metrics) {
          const labels = series.get(metric);
          expect(labels, `${panel.title}: ${metric} is not exported`).toBeDefined();
          for (const label of labelsUsed(target.expr, target.legendFormat)) expect(labels, `${panel.title}: ${metric} has no label ${label}`).toContain(label);
          checked.push(metric);
        }
      }
    }
    // The dashboard covers the series the issue names, and where each host is.
    for (const name of ['snitchmap_bytes_total', 'snitchmap_connections_total', 'snitchmap_open_connections', 'snitchmap_events_lost_total', 'snitchmap_flows_evicted_total', 'snitchmap_unattributed_total', 'snitchmap_capture_info', 'snitchmap_home_info']) {
      expect(checked).toContain(name);
    }
  });

  it('filters by host through an instance variable taken from snitchmap_capture_info', () => {
    const variable = dashboard().templating.list.find((v) => v.name === 'instance');
    expect(variable?.definition).toBe('label_values(snitchmap_capture_info, instance)');
    for (const query of dashboardQueries().filter((q) => !q.startsWith('label_values'))) expect(query).toContain('instance=~"$instance"');
  });

  it('places countries on the geomap by the ISO code in the country label', () => {
    const geomap = dashboard().panels.find((p) => p.type === 'geomap');
    expect(geomap?.targets?.[0]?.expr).toMatch(/by \(country\)/);
    expect(geomap?.options?.layers?.[0]?.location).toEqual({ mode: 'lookup', lookup: 'country', gazetteer: 'public/gazetteer/countries.json' });
  });
});
