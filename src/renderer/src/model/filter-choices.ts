// The values the filter menus offer — the processes and countries present — kept up to date
// incrementally by the store (reference counts), instead of rescanning every connection per batch.

import { appName } from './app-label.js';
import type { ConnectionView } from './connection-view.js';
import { NO_COUNTRY } from './filters.js';

export interface FilterChoices {
  /** `name`: the one process name of the group, null when it has several (an app) or none (history filters on it). */
  processes: { key: string; label: string; name: string | null }[];
  countries: string[];
  /** Fleet mode's hosts (empty otherwise). */
  hosts: string[];
}

export class FilterChoiceCounter {
  private processes = new Map<string, { label: string; name: string | null; count: number }>();
  private countries = new Map<string, number>();
  private hosts = new Map<string, number>();
  private cached: FilterChoices | null = null;

  add(view: ConnectionView): void {
    const p = view.event.process;
    const entry = this.processes.get(view.processKey);
    if (entry === undefined) {
      // Grouped by app (issue 14): the app's name; without an app, the process and its pid as before.
      const label = p === null ? 'unattributed' : p.app === undefined ? `${p.name} (${p.pid})` : appName(p);
      this.processes.set(view.processKey, { label, name: p?.name ?? null, count: 1 });
      this.cached = null;
    } else {
      entry.count += 1;
      // An app of several processes: no one name stands for it (kept null until the group goes).
      if (entry.name !== null && entry.name !== (p?.name ?? null)) {
        entry.name = null;
        this.cached = null;
      }
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
      processes: [...this.processes].map(([key, { label, name }]) => ({ key, label, name }))
        .sort((a, b) => a.label.localeCompare(b.label)),
      countries: [...this.countries.keys()].sort(),
      hosts: [...this.hosts.keys()].sort(),
    };
    return this.cached;
  }
}

export type ProcessChoice = FilterChoices['processes'][number];

/**
 * The choices with the picked process and country kept in them: a filtered past window (or a
 * process that went away) may not hold them any more, and a menu must still show what it filters on.
 */
export function keepPicked(choices: FilterChoices, process: ProcessChoice | null, country: string | null): FilterChoices {
  const missingProcess = process !== null && !choices.processes.some((p) => p.key === process.key);
  const missingCountry = country !== null && !choices.countries.includes(country);
  if (!missingProcess && !missingCountry) return choices;
  return {
    ...choices,
    processes: missingProcess ? [...choices.processes, process].sort((a, b) => a.label.localeCompare(b.label)) : choices.processes,
    countries: missingCountry ? [...choices.countries, country].sort() : choices.countries,
  };
}
