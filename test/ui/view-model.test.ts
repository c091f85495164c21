import { describe, expect, it } from 'vitest';
import type { Delta } from '../../src/shared/api.js';
import type { ConnectionEvent } from '../../src/shared/contract.js';
import { ConnectionStore, CLOSED_RETENTION_MS } from '../../src/renderer/src/model/connection-store.js';
import { deriveView } from '../../src/renderer/src/model/derive.js';
import { connectionMatcher, NO_FILTERS, type Filters } from '../../src/renderer/src/model/filters.js';
import { groupConnections } from '../../src/renderer/src/model/grouping.js';
import { flattenGroups, HOSTS_SHOWN } from '../../src/renderer/src/model/list-rows.js';
import { aggregateLocations, locationKey } from '../../src/renderer/src/model/locations.js';
import { ZONES } from '../../src/renderer/src/model/zones.js';
import { BERLIN, makeEvent, makeSnapshot, NEW_YORK, TOKYO } from './connection-fixtures.js';

function storeWith(...events: Parameters<typeof makeEvent>[0][]): ConnectionStore {
  return new ConnectionStore(makeSnapshot(events.map(makeEvent)));
}

describe('ConnectionStore', () => {
  it('computes rates from consecutive updates and marks the batch in which bytes moved', () => {
    const store = storeWith({ id: 'a', ts: 1000, tx: 100, rx: 100 });
    store.applyDelta({ events: [makeEvent({ id: 'a', event: 'update', ts: 3000, tx: 1100, rx: 2100 })] }, 3000);
    const view = store.getState().connections.get('a');
    expect(view?.txRate).toBe(500);
    expect(view?.rxRate).toBe(1000);
    expect(view?.movedInBatch).toBe(store.getState().batch);
    store.applyDelta({ events: [makeEvent({ id: 'a', event: 'update', ts: 4000, tx: 1100, rx: 2100 })] }, 4000);
    const still = store.getState().connections.get('a');
    expect(still?.movedInBatch).toBe(store.getState().batch - 1);
    expect(still?.firstSeen).toBe(1000);
  });

  it('keeps closed connections for the retention period, then forgets them', () => {
    const store = storeWith({ id: 'a', ts: 1000 });
    store.applyDelta({ events: [makeEvent({ id: 'a', event: 'close', ts: 2000 })] }, 2000);
    expect(store.getState().connections.get('a')?.closedAt).toBe(2000);
    store.expire(2000 + CLOSED_RETENTION_MS - 1);
    expect(store.getState().connections.has('a')).toBe(true);
    store.expire(2000 + CLOSED_RETENTION_MS + 1);
    expect(store.getState().connections.has('a')).toBe(false);
  });

  it('drops everything on cleared, takes new stats and status, and notifies subscribers', () => {
    const store = storeWith({ id: 'a' }, { id: 'b' });
    let calls = 0;
    store.subscribe(() => (calls += 1));
    store.applyDelta({
      cleared: true,
      events: [makeEvent({ id: 'c' })],
      status: { paused: true, capture: 'proc', banner: null },
    }, 1_000_000);
    expect([...store.getState().connections.keys()]).toEqual(['c']);
    expect(store.getState().status.paused).toBe(true);
    expect(calls).toBe(1);
  });

  it('ignores a late event older than what it holds (deltas buffered before the snapshot)', () => {
    const store = storeWith({ id: 'a', ts: 5000, tx: 900 });
    store.applyDelta({ events: [makeEvent({ id: 'a', event: 'update', ts: 4000, tx: 100 })] }, 5000);
    expect(store.getState().connections.get('a')?.event.txBytes).toBe(900);
    store.applyDelta({ events: [makeEvent({ id: 'a', event: 'close', ts: 6000, tx: 950 })] }, 6000);
    store.applyDelta({ events: [makeEvent({ id: 'a', event: 'update', ts: 6000, tx: 990 })] }, 6000);
    expect(store.getState().connections.get('a')).toMatchObject({ closedAt: 6000, event: { event: 'close', txBytes: 950 } });
  });

  it('counts and skips malformed events, keeping the rest of the batch', () => {
    const store = storeWith({ id: 'a' });
    const good = makeEvent({ id: 'b' });
    const junk: unknown[] = [
      null, 'text', { ...good, id: 7 }, { ...good, id: 'c', remote: null }, { ...good, id: 'd', ts: 'later' },
      { ...good, id: 'e', remote: { ...good.remote, geo: { country: 'XX', city: null, lat: 'north', lon: 0 } } },
      { ...good, id: 'f', process: { pid: '1', name: 'x' } }, { ...good, id: 'g', event: 'explode' },
    ];
    store.applyDelta({ events: [...junk, good] as ConnectionEvent[] }, 1_000_000);
    expect([...store.getState().connections.keys()].sort()).toEqual(['a', 'b']);
    expect(store.getState().malformedEvents).toBe(junk.length);
    store.applyDelta({ events: 'nope' } as unknown as Delta, 1_000_000);
    expect(store.getState().malformedEvents).toBe(junk.length + 1);
  });

  it('neutralises bidi controls in every shown name, and leaves non-string junk to the checks', () => {
    const RLO = '\u202e';
    const hostile = `${RLO}moc.knab\u2066x\u2069\u200f\u061c`;
    const store = storeWith({
      id: 'a', host: hostile, geo: { ...BERLIN, city: hostile }, asn: { number: 1, org: hostile },
      process: { name: hostile, exe: hostile, cmdline: hostile, user: hostile },
    });
    const shown = JSON.stringify(store.getState().connections.get('a')?.event);
    expect(shown).toContain('moc.knab');
    expect(shown).not.toMatch(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(store.getState().connections.get('a')?.event.remote.host).toBe('\ufffdmoc.knab\ufffdx\ufffd\ufffd\ufffd');
    // The search sees the same text as the panels.
    expect(store.getState().connections.get('a')?.host).toBe('\ufffdmoc.knab\ufffdx\ufffd\ufffd\ufffd');
    const odd = { ...makeEvent({ id: 'b' }), remote: { ...makeEvent({ id: 'b' }).remote, host: 5, asn: undefined } };
    expect(() => store.applyDelta({ events: [odd as unknown as ConnectionEvent] }, 1_000_000)).not.toThrow();
  });

  it('counts updates for ids it never saw opened instead of dropping them', () => {
    const store = storeWith();
    store.applyDelta({ events: [makeEvent({ id: 'x', event: 'update', tx: 5 })] }, 1_000_000);
    expect(store.orphanEvents).toBe(1);
    expect(store.getState().connections.has('x')).toBe(true);
  });
});

describe('grouping', () => {
  const views = () => [...storeWith(
    { id: '1', process: { pid: 1, name: 'firefox' }, host: 'a.example', tx: 10, ts: 5 },
    { id: '2', process: { pid: 1, name: 'firefox' }, host: 'a.example', tx: 20, ts: 6 },
    { id: '3', process: { pid: 1, name: 'firefox' }, host: null, ip: '198.51.100.7', tx: 1000, ts: 1 },
    { id: '4', process: { pid: 2, name: 'ssh' }, host: 'b.example', tx: 5, ts: 9 },
    { id: '5', process: null, host: 'c.example', tx: 1, ts: 2 },
  ).getState().connections.values()];

  it('groups process → host, naming hosts by looked-up name else address, with totals', () => {
    const groups = groupConnections(views(), 'traffic');
    expect(groups.map((g) => g.key)).toEqual(['1:firefox', '2:ssh', 'unattributed']);
    const firefox = groups[0]!;
    expect(firefox.connections).toBe(3);
    expect(firefox.txBytes).toBe(1030);
    expect(firefox.hosts.map((h) => [h.host, h.connections, h.txBytes])).toEqual([
      ['198.51.100.7', 1, 1000],
      ['a.example', 2, 30],
    ]);
    expect(groups[2]!.process).toBeNull();
  });

  it('sorts by recency when asked', () => {
    const groups = groupConnections(views(), 'recent');
    expect(groups.map((g) => g.key)).toEqual(['2:ssh', '1:firefox', 'unattributed']);
    expect(groups[1]!.hosts.map((h) => h.host)).toEqual(['a.example', '198.51.100.7']);
  });

  it('flattens to rows, honouring collapsed processes and the "more" row', () => {
    const many = [...storeWith(...Array.from({ length: HOSTS_SHOWN + 3 }, (_, i) => ({
      id: `h${i}`, host: `h${i}.example`, tx: i,
    }))).getState().connections.values()];
    const groups = groupConnections(many, 'traffic');
    const rows = flattenGroups(groups, new Set(), new Set());
    expect(rows.map((r) => r.kind)).toEqual(['process', ...Array(HOSTS_SHOWN).fill('host'), 'more']);
    expect(rows.at(-1)).toMatchObject({ kind: 'more', hidden: 3 });
    expect(flattenGroups(groups, new Set(), new Set([groups[0]!.key]))).toHaveLength(HOSTS_SHOWN + 4);
    expect(flattenGroups(groups, new Set([groups[0]!.key]), new Set())).toHaveLength(1);
  });
});

describe('filters', () => {
  const all = [...storeWith(
    { id: 'web', process: { pid: 1, name: 'firefox' }, geo: BERLIN, proto: 'tcp' },
    { id: 'dns', process: { pid: 2, name: 'resolved' }, geo: NEW_YORK, proto: 'udp', port: 53 },
    { id: 'lan', process: { pid: 3, name: 'sshd' }, geo: null, scope: 'lan', direction: 'inbound', ip: '192.168.1.20' },
    { id: 'nowhere', process: null, geo: null, scope: 'internet', host: null, ip: '198.51.100.9',
      asn: { number: 64511, org: 'Evil Corp' } },
  ).getState().connections.values()];
  const ids = (filters: Partial<Filters>) =>
    all.filter(connectionMatcher({ ...NO_FILTERS, ...filters }, locationKey)).map((v) => v.event.id);

  it('narrows by process, country (and "no location"), protocol, direction and scope', () => {
    expect(ids({})).toEqual(['web', 'dns', 'lan', 'nowhere']);
    expect(ids({ process: '1:firefox' })).toEqual(['web']);
    expect(ids({ process: 'unattributed' })).toEqual(['nowhere']);
    expect(ids({ country: 'US' })).toEqual(['dns']);
    expect(ids({ country: '--' })).toEqual(['lan', 'nowhere']);
    expect(ids({ proto: 'udp' })).toEqual(['dns']);
    expect(ids({ direction: 'inbound' })).toEqual(['lan']);
    expect(ids({ scope: 'local' })).toEqual(['lan']);
    expect(ids({ scope: 'internet', proto: 'tcp' })).toEqual(['web', 'nowhere']);
  });

  it('searches names, addresses, places and organisations case-insensitively', () => {
    expect(ids({ text: 'FIREFOX' })).toEqual(['web']);
    expect(ids({ text: 'new york' })).toEqual(['dns']);
    expect(ids({ text: '192.168.1.20' })).toEqual(['lan']);
    expect(ids({ text: 'evil corp' })).toEqual(['nowhere']);
    expect(ids({ text: 'as64511' })).toEqual(['nowhere']);
    expect(ids({ text: 'no such thing' })).toEqual([]);
  });

  it('narrows by a location picked on the map', () => {
    expect(ids({ location: 'zone:private' })).toEqual(['lan']);
    expect(ids({ location: '52.52,13.40' })).toEqual(['web']);
  });

  it('offers the processes and countries present, and forgets them with their last connection', () => {
    const store = storeWith(
      { id: 'web', process: { pid: 1, name: 'firefox' }, geo: BERLIN },
      { id: 'dns', process: { pid: 2, name: 'resolved' }, geo: NEW_YORK },
      { id: 'lan', process: { pid: 3, name: 'sshd' }, geo: null, scope: 'lan' },
      { id: 'nowhere', process: null, geo: null },
    );
    const choices = store.getState().choices;
    expect(choices.countries).toEqual(['--', 'DE', 'US']);
    expect(choices.processes.map((p) => p.label)).toEqual(['firefox (1)', 'resolved (2)', 'sshd (3)', 'unattributed']);
    store.applyDelta({ events: [makeEvent({ id: 'dns', event: 'close', ts: 2_000_000, process: { pid: 2, name: 'resolved' }, geo: NEW_YORK })] }, 2_000_000);
    expect(store.getState().choices).toBe(choices);
    store.expire(2_000_000 + CLOSED_RETENTION_MS + 1);
    expect(store.getState().choices.countries).toEqual(['--', 'DE']);
    expect(store.getState().choices.processes.map((p) => p.label)).toEqual(['firefox (1)', 'sshd (3)', 'unattributed']);
    // A process attributed in a later update moves the connection's count to the right entry.
    store.applyDelta({ events: [makeEvent({ id: 'nowhere', event: 'update', ts: 3_000_000, process: { pid: 9, name: 'late' }, geo: null })] }, 3_000_000);
    expect(store.getState().choices.processes.map((p) => p.label)).toEqual(['firefox (1)', 'late (9)', 'sshd (3)']);
  });
});

describe('aggregation by location and zones', () => {
  it('merges connections at one place, sums traffic, and derives the state', () => {
    const store = storeWith(
      { id: 'a', geo: BERLIN, tx: 10, rx: 5 },
      { id: 'b', geo: { ...BERLIN, lat: 52.5201 }, tx: 1, process: { pid: 9, name: 'other' } },
      { id: 'c', geo: TOKYO, tx: 7 },
    );
    store.applyDelta({ events: [makeEvent({ id: 'c', event: 'close', geo: TOKYO, tx: 7 })] }, 1_000_000);
    const state = store.getState();
    const points = aggregateLocations(state.connections.values(), state.batch);
    const berlin = points.find((p) => p.label === 'Berlin, DE');
    expect(berlin).toMatchObject({ connections: 2, open: 2, bytes: 16, state: 'active', zone: null });
    expect(points.find((p) => p.label === 'Tokyo, JP')).toMatchObject({ state: 'closed', open: 0 });
  });

  it('puts unlocated addresses in labelled zones by reason, never at 0,0', () => {
    const state = storeWith(
      { id: 'lan', geo: null, scope: 'lan' },
      { id: 'lo', geo: null, scope: 'loopback' },
      { id: 'mc', geo: null, scope: 'multicast' },
      { id: 'inet', geo: null, scope: 'internet' },
      { id: 'bad', geo: { country: 'ZZ', city: null, lat: Number.NaN, lon: 500 }, scope: 'internet' },
    ).getState();
    const points = aggregateLocations(state.connections.values(), state.batch);
    const byKey = new Map(points.map((p) => [p.key, p]));
    expect(byKey.get('zone:private')).toMatchObject({ connections: 2, label: ZONES.private.label, state: 'local' });
    expect(byKey.get('zone:multicast')).toMatchObject({ connections: 1, state: 'local' });
    expect(byKey.get('zone:unknown')).toMatchObject({ connections: 2, state: 'unknown' });
    for (const point of points) expect(point.lat === 0 && point.lon === 0).toBe(false);
  });

  it('marks a LAN place located by a locations file as local, not active internet', () => {
    const state = storeWith({ id: 'office', geo: { country: 'FR', city: 'Office', lat: 45, lon: 5 }, scope: 'lan' })
      .getState();
    expect(aggregateLocations(state.connections.values(), state.batch)[0]).toMatchObject({ state: 'local' });
  });

  it('pulses a place only when bytes moved in the latest batch', () => {
    const store = storeWith({ id: 'a', tx: 0 });
    store.applyDelta({ events: [makeEvent({ id: 'a', event: 'update', ts: 1_001_000, tx: 50 })] }, 1_001_000);
    let state = store.getState();
    expect(aggregateLocations(state.connections.values(), state.batch)[0]?.pulse).toBe(true);
    store.applyDelta({ events: [] }, 1_002_000);
    state = store.getState();
    expect(aggregateLocations(state.connections.values(), state.batch)[0]?.pulse).toBe(false);
  });
});

describe('deriveView', () => {
  const state = storeWith(
    { id: '1', process: { pid: 1, name: 'firefox' }, host: 'a.example', geo: BERLIN },
    { id: '2', process: { pid: 1, name: 'firefox' }, host: 'b.example', geo: TOKYO },
    { id: '3', process: { pid: 2, name: 'ssh' }, host: 'c.example', geo: NEW_YORK },
  ).getState();

  it('maps every listed connection when nothing is selected', () => {
    const view = deriveView(state.connections.values(), state.batch, NO_FILTERS, 'traffic', null);
    expect(view.locations).toHaveLength(3);
  });

  it("maps only a selected process's servers (Mini's view), or only a selected host", () => {
    const byProcess = deriveView(state.connections.values(), state.batch, NO_FILTERS, 'traffic',
      { kind: 'process', key: '1:firefox' });
    expect(byProcess.locations.map((p) => p.label).sort()).toEqual(['Berlin, DE', 'Tokyo, JP']);
    expect(byProcess.groups).toHaveLength(2);
    const byHost = deriveView(state.connections.values(), state.batch, NO_FILTERS, 'traffic',
      { kind: 'host', key: '1:firefox\u0000b.example', processKey: '1:firefox' });
    expect(byHost.locations.map((p) => p.label)).toEqual(['Tokyo, JP']);
  });
});
