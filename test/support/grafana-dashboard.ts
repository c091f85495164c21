// Reads resources/grafana/snitchmap-dashboard.json for the tests that check its queries.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

interface Target {
  expr: string;
  legendFormat?: string;
}
interface Panel {
  type: string;
  title: string;
  targets?: Target[];
  options?: { layers?: { location?: { mode: string; lookup?: string; gazetteer?: string } }[] };
}

export function dashboard(): { panels: Panel[]; templating: { list: { name: string; query?: unknown; definition?: string }[] } } {
  return JSON.parse(readFileSync(resolve(import.meta.dirname, '../../resources/grafana/snitchmap-dashboard.json'), 'utf8'));
}

/** Every PromQL string of the dashboard: panel targets and template variable queries. */
export function dashboardQueries(): string[] {
  const d = dashboard();
  const targets = d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  const variables = d.templating.list.flatMap((v) => (v.definition ? [v.definition] : []));
  return [...targets, ...variables];
}

