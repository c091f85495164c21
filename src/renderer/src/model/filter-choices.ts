// The values the filter menus offer — the processes and countries present — kept up to date
// incrementally by the store (reference counts), instead of rescanning every connection per batch.

import { appName } from './app-label.js';
import type { ConnectionView } from './connection-view.js';
import { NO_COUNTRY } from './filters.js';

export interface FilterChoices {
  processes: { key: string; label: string }[];
  countries: string[];
  /** Fleet mode's hosts (empty otherwise). */
  hosts: string[];
}

export class FilterChoiceCounter {
  private processes = new Map<string, { label: string; count: number }>();
  private countries = new Map<string, number>();
  private hosts = new Map<string, number>();
  private cached: FilterChoices | null = null;

  add(view: ConnectionView): void {
    const p = view.event.process;
    const entry = this.processes.get(view.processKey);
    if (entry === undefined) {
      // Grouped by app (issue 14): the app's name; without an app, the process and its pid as before.
      const label = p === null ? 'unattributed' : p.app === undefined ? `${p.name} (${p.pid})` : appName(p);
      this.processes.set(view.processKey, { label, count: 1 });
      this.cached = null;
    } else {
      entry.count += 1;
    }
    const country = view.event.remote.geo?.country ?? NO_COUNTRY;
    const count = this.countries.get(country) ?? 0;
    if (count === 0) this.cached = null;
    this.countries.set(country, count + 1);
    const host = view.event.instance;
    if (host !== undefined) {
      const hosts = this.hosts.get(host) ?? 0;
      if (hosts === 0) this.cached = null;
      this.hosts.set(host, hosts + 1);
    }
  }

  remove(view: ConnectionView): void {
    const entry = this.processes.get(view.processKey);
    if (entry !== undefined && --entry.count <= 0) {
      this.processes.delete(view.processKey);
      this.cached = null;
    }
    const country = view.event.remote.geo?.country ?? NO_COUNTRY;
    const count = (this.countries.get(country) ?? 0) - 1;
    if (count <= 0) {
      this.countries.delete(country);
      this.cached = null;
    } else {
      this.countries.set(country, count);
    }
    const host = view.event.instance;
    if (host !== undefined) {
      const hosts = (this.hosts.get(host) ?? 0) - 1;
      if (hosts <= 0) {
        this.hosts.delete(host);
        this.cached = null;
      } else {
        this.hosts.set(host, hosts);
      }
    }
  }

  clear(): void {
    this.processes.clear();
    this.countries.clear();
    this.hosts.clear();
    this.cached = null;
  }

  /** The same object until the set of choices changes (cheap to memoise on). */
  choices(): FilterChoices {
    this.cached ??= {
      processes: [...this.processes].map(([key, { label }]) => ({ key, label }))
        .sort((a, b) => a.label.localeCompare(b.label)),
      countries: [...this.countries.keys()].sort(),
      hosts: [...this.hosts.keys()].sort(),
    };
    return this.cached;
  }
}
