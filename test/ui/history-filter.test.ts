// The list's filters a past window asks the backend for (src/renderer/src/history/history-filter.ts),
// the process name a Process menu entry carries for it, and the menus keeping what they filter on.
import { describe, expect, it } from 'vitest';
import { historyFilterOf, sameHistoryFilter } from '../../src/renderer/src/history/history-filter.js';
import { connectionKeys, type ConnectionView } from '../../src/renderer/src/model/connection-view.js';
import type { ConnectionEvent } from '../../src/shared/contract.js';
import { FilterChoiceCounter, keepPicked } from '../../src/renderer/src/model/filter-choices.js';
import { NO_COUNTRY } from '../../src/renderer/src/model/filters.js';
import { connection } from '../unit/core/history/fake-engine.js';

const toView = (event: ConnectionEvent): ConnectionView => ({
  event, firstSeen: event.ts, lastSeen: event.ts, closedAt: null, txRate: 0, rxRate: 0, movedInBatch: 0, ...connectionKeys(event),
});

describe('history filter of the list filters', () => {
  it('carries a process name and a two-letter country; leaves the rest to the page', () => {
    expect(historyFilterOf(null, null)).toEqual({});
    expect(historyFilterOf('DE', 'curl')).toEqual({ country: 'DE', process: 'curl' });
    // "no location" and values the store would refuse stay in the page.
    expect(historyFilterOf(NO_COUNTRY, null)).toEqual({});
    expect(historyFilterOf('DEU', '')).toEqual({});
    expect(historyFilterOf(null, 'x'.repeat(65))).toEqual({});
  });

  it('compares requests by value (the same filters do not ask again)', () => {
    expect(sameHistoryFilter({ process: 'a' }, { process: 'a' })).toBe(true);
    expect(sameHistoryFilter({ process: 'a' }, { process: 'a', country: 'FR' })).toBe(false);
    expect(sameHistoryFilter({}, {})).toBe(true);
  });
});

describe('Process menu entries', () => {
  const proc = (pid: number, name: string, app?: string) => ({
    pid, name, exe: null, cmdline: null, uid: 1000, user: 'me',
    ...(app === undefined ? {} : { app: { kind: 'flatpak' as const, id: app, name: app } }),
  });

  it('name the process of a group, and no one name for an app of several processes', () => {
    const counter = new FilterChoiceCounter();
    counter.add(toView(connection({ id: 'a', ts: 1, process: proc(7, 'curl') })));
    counter.add(toView(connection({ id: 'b', ts: 1, process: proc(8, 'web', 'org.example.Web') })));
    counter.add(toView(connection({ id: 'c', ts: 1, process: proc(9, 'web-helper', 'org.example.Web') })));
    counter.add(toView(connection({ id: 'd', ts: 1, process: null })));
    const names = Object.fromEntries(counter.choices().processes.map((p) => [p.label, p.name]));
    expect(names).toEqual({ 'curl (7)': 'curl', 'org.example.Web': null, unattributed: null });
  });

  it('keep the picked process and country when the answer no longer holds them', () => {
    const counter = new FilterChoiceCounter();
    counter.add(toView(connection({ id: 'a', ts: 1, process: proc(7, 'curl') })));
    const choices = counter.choices();
    expect(keepPicked(choices, null, 'FR')).toBe(choices);
    const picked = { key: '4242:oldproc', label: 'oldproc (4242)', name: 'oldproc' };
    const kept = keepPicked(choices, picked, 'DE');
    expect(kept.processes).toEqual([{ key: '7:curl', label: 'curl (7)', name: 'curl' }, picked]);
    expect(kept.countries).toEqual(['DE', 'FR']);
  });
});
