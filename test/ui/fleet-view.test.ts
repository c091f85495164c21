// The renderer's fleet model: arcs leave each host's own home (a homeless host has none; the Host
// filter keeps one host's), places know which hosts reach them, the status bar's summary, and the
// store's checks on the fleet object it receives.

import { describe, expect, it } from 'vitest';
import type { FleetStatus } from '../../src/shared/fleet.js';
import { ConnectionStore } from '../../src/renderer/src/model/connection-store.js';
import { formatAge, summarizeFleet } from '../../src/renderer/src/model/fleet-summary.js';
import { aggregateLocations } from '../../src/renderer/src/model/locations.js';
import { LOCAL_ORIGIN, mapOrigins } from '../../src/renderer/src/model/origins.js';
import { deriveView } from '../../src/renderer/src/model/derive.js';
import { NO_FILTERS } from '../../src/renderer/src/model/filters.js';
import { BERLIN, makeEvent, makeSnapshot } from './connection-fixtures.js';

const HOME = { lat: 1, lon: 2, label: 'Paris' };
const FLEET: FleetStatus = {
  prometheusUrl: 'http://p:9090/',
  hosts: [
    { instance: 'a', up: true, scrapeAgeMs: 800, home: { lat: 40.71, lon: -74.01, label: 'Home' }, homeSource: 'host' },
    { instance: 'b', up: true, scrapeAgeMs: 2500, home: { lat: -33.9, lon: 18.4, label: 'b' }, homeSource: 'label' },
    { instance: 'c', up: false, scrapeAgeMs: 61_000, home: null, homeSource: null },
    { instance: 'd', up: null, scrapeAgeMs: null, home: null, homeSource: null },
  ],
  refreshedAt: 5000,
  queryErrors: 2,
  eventsLost: 0,
  flowsEvicted: 0,
  closedUnattributed: 3,
};

describe('arc origins', () => {
  it("is this machine's home outside fleet mode", () => {
    expect(mapOrigins(null, HOME, null)).toEqual([{ key: LOCAL_ORIGIN, home: HOME, label: 'Home: Paris' }]);
  });

  it("is every placed host's home in fleet mode, labelled by instance, and only the filtered host's with a Host filter", () => {
    expect(mapOrigins(FLEET, HOME, null)).toEqual([
      { key: 'a', home: FLEET.hosts[0]?.home, label: 'a: Home' },
      { key: 'b', home: FLEET.hosts[1]?.home, label: 'b' },
    ]);
    expect(mapOrigins(FLEET, HOME, 'b').map((o) => o.key)).toEqual(['b']);
    expect(mapOrigins(FLEET, HOME, 'c')).toEqual([]);
  });

  it('knows which hosts reach each place; a filter on one host leaves only it', () => {
    const events = [
      makeEvent({ id: 'a1', geo: BERLIN }), makeEvent({ id: 'b1', geo: BERLIN }), makeEvent({ id: 'b2', geo: BERLIN, ip: '203.0.113.9' }),
    ].map((e, i) => ({ ...e, instance: i === 0 ? 'a' : 'b' }));
    const store = new ConnectionStore({ ...makeSnapshot(events), fleet: FLEET });
    const all = aggregateLocations(store.getState().connections.values(), 0);
    expect(all.map((p) => p.hosts)).toEqual([['a', 'b']]);
    const onlyA = deriveView(store.getState().connections.values(), 0, { ...NO_FILTERS, host: 'a' }, 'traffic', null);
    expect(onlyA.locations.map((p) => p.hosts)).toEqual([['a']]);
    const local = aggregateLocations(new ConnectionStore(makeSnapshot([makeEvent({ id: 'x' })])).getState().connections.values(), 0);
    expect(local.map((p) => p.hosts)).toEqual([[]]);
  });
});

describe('fleet summary', () => {
  it('counts hosts up, down and without an up series, the homeless by name, and the oldest scrape', () => {
    expect(summarizeFleet(FLEET)).toEqual({ hosts: 4, up: 2, down: 1, unknown: 1, homeless: ['c', 'd'], oldestScrapeMs: 61_000 });
    expect(summarizeFleet({ ...FLEET, hosts: [] }).oldestScrapeMs).toBeNull();
    expect([formatAge(800), formatAge(61_000), formatAge(7_300_000)]).toEqual(['1 s', '1 min', '2 h']);
  });

  it('takes the fleet from the snapshot and each delta, and counts a malformed one instead of keeping it', () => {
    expect(new ConnectionStore(makeSnapshot([])).getState().fleet).toBeNull();
    const store = new ConnectionStore({ ...makeSnapshot([]), fleet: FLEET });
    expect(store.getState().fleet).toBe(FLEET);
    const next = { ...FLEET, queryErrors: 3 };
    store.applyDelta({ events: [], fleet: next }, 1);
    expect(store.getState().fleet).toBe(next);
    const broken = { ...FLEET, hosts: [{ instance: 'x', home: { lat: 'north' } }] } as unknown as FleetStatus;
    store.applyDelta({ events: [], fleet: broken }, 2);
    expect(store.getState().fleet).toBe(next);
    expect(store.getState().malformedEvents).toBe(1);
  });
});
