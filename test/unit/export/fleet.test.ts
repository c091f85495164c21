// serve --fleet's reading of Prometheus: vector answers become per-host entries placed at country
// centroids; the fleet's state (hosts up/down, scrape ages, homes, failed refreshes) goes with every
// refresh; bad answers and timeouts are errors that keep the last data and show a banner. Home
// resolution itself: fleet-hosts.test.ts.

import { describe, expect, it } from 'vitest';
import { fleetEvents, fleetHealth } from '../../../src/core/fleet/fleet-model.js';
import { FleetHomes } from '../../../src/core/fleet/fleet-homes-file.js';
import { createFleetPublisher } from '../../../src/core/fleet/fleet-publisher.js';
import { queryVector, type Fetch } from '../../../src/core/fleet/prometheus-api.js';
import type { Delta } from '../../../src/shared/api.js';

const vector = (result: { metric: Record<string, string>; value: [number, string] }[]) => ({ status: 'success', data: { resultType: 'vector', result } });
const answer = (body: unknown, ok = true): ReturnType<Fetch> => Promise.resolve({ ok, status: ok ? 200 : 500, json: () => Promise.resolve(body) });

describe('fleet model', () => {
  it('joins bytes and opened counts per host, process, proto, country and scope', () => {
    const m = { instance: 'a', process: 'curl', proto: 'tcp', country: 'FR', scope: 'internet' };
    const ts = 1000;
    const events = fleetEvents(
      [{ metric: { ...m, direction: 'tx' }, value: 100, ts }, { metric: { ...m, direction: 'rx' }, value: 2500, ts }],
      [{ metric: m, value: 3, ts }, { metric: { ...m, instance: 'b', country: 'unknown', scope: 'lan' }, value: 1, ts }, { metric: { ...m, proto: 'sctp' }, value: 1, ts }],
      ts,
    );
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ instance: 'a', txBytes: 100, rxBytes: 2500, process: { name: 'curl' }, remote: { scope: 'internet', geo: { country: 'FR', lat: 46.62, lon: 2.45 } } });
    expect(events[1]).toMatchObject({ instance: 'b', remote: { scope: 'lan', geo: null, host: 'no location' } });
  });

  it('sums the loss counters by name; a counter no host exported yet is 0', () => {
    expect(fleetHealth([
      { metric: { __name__: 'snitchmap_events_lost_total' }, value: 3, ts: 1 },
      { metric: { __name__: 'snitchmap_unattributed_total' }, value: 5, ts: 1 },
    ])).toEqual({ eventsLost: 3, flowsEvicted: 0, closedUnattributed: 5 });
  });
});

describe('Prometheus API client', () => {
  it('returns finite vector samples and turns errors, junk and timeouts into messages', async () => {
    const ok: Fetch = () => answer(vector([{ metric: { a: '1' }, value: [1, '5'] }, { metric: {}, value: [1, 'NaN'] }]));
    await expect(queryVector('http://p:9090', 'up', { timeoutMs: 1000, fetch: ok })).resolves.toEqual([{ metric: { a: '1' }, value: 5, ts: 1000 }]);
    await expect(queryVector('http://p:9090', 'up', { timeoutMs: 1000, fetch: () => answer({ status: 'error', error: 'parse error' }, false) })).rejects.toThrow('parse error');
    await expect(queryVector('http://p:9090', 'up', { timeoutMs: 1000, fetch: () => answer('<html>') })).rejects.toThrow(/not a Prometheus API answer/);
    await expect(queryVector('http://p:9090', 'up', { timeoutMs: 1000, fetch: () => answer({ status: 'success', data: { resultType: 'matrix', result: [] } }) })).rejects.toThrow(/not a vector/);
    const hang: Fetch = (_url, init) => new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
    await expect(queryVector('http://p:9090', 'up', { timeoutMs: 50, fetch: hang })).rejects.toThrow(/no answer within 50 ms/);
  });
});

describe('fleet publisher', () => {
  const m = { instance: 'a:9464', process: 'curl', proto: 'tcp', country: 'FR', scope: 'internet' };
  // Prometheus's evaluation time of every answer: 1000 s.
  const at = (metric: Record<string, string>, value: number | string) => ({ metric, value: [1000, String(value)] as [number, string] });

  function fakePrometheus() {
    const state = { bytes: 100, fail: false, present: true, bUp: 0 };
    const fetch: Fetch = (url) => {
      if (state.fail) return Promise.reject(new Error('connect ECONNREFUSED'));
      const q = new URL(url).searchParams.get('query') ?? '';
      if (q.startsWith('max by (instance, home) (snitchmap_capture_info)')) return answer(vector([at({ instance: 'a:9464' }, 1)]));
      if (q.startsWith('max by (instance, home) (up')) return answer(vector([at({ instance: 'a:9464' }, 1), at({ instance: 'b:9464', home: '10,20,Lab' }, state.bUp)]));
      if (q.startsWith('max by (instance) (timestamp(up)')) return answer(vector([at({ instance: 'a:9464' }, 998.5), at({ instance: 'b:9464' }, 999)]));
      if (q.includes('snitchmap_home_info')) return answer(vector([at({ instance: 'a:9464', lat: '35.68', lon: '139.69', label: 'Home', source: 'set' }, 1)]));
      if (q.includes('bytes_total')) return answer(vector(state.present ? [at({ ...m, direction: 'tx' }, state.bytes)] : []));
      if (q.includes('connections_total')) return answer(vector(state.present ? [at(m, 1)] : []));
      if (q.includes('__name__')) return answer(vector([at({ __name__: 'snitchmap_unattributed_total' }, 2)]));
      return answer({ status: 'error', error: `unexpected query ${q}` }, false);
    };
    return { state, fetch };
  }

  it('sends opens, then updates for changed counters and closes for vanished entries; a failed refresh keeps the data, counts the error and shows a banner', async () => {
    const { state, fetch } = fakePrometheus();
    const publisher = createFleetPublisher({ prometheusUrl: 'http://p:9090/', home: { lat: 0, lon: 0, label: 'Here' }, fetch, now: () => 5000 });
    const deltas: Delta[] = [];
    publisher.onDelta((d) => deltas.push(d));
    await publisher.refresh();
    expect(deltas[0]?.events.map((e) => e.event)).toEqual(['open']);
    state.bytes = 300;
    await publisher.refresh();
    expect(deltas[1]?.events.map((e) => [e.event, e.txBytes])).toEqual([['update', 300]]);
    state.fail = true;
    await publisher.refresh();
    expect(deltas[2]?.status?.banner?.message).toContain('ECONNREFUSED');
    expect(deltas[2]?.fleet?.queryErrors).toBe(1);
    expect(publisher.snapshot().connections).toHaveLength(1);
    state.fail = false;
    state.present = false;
    await publisher.refresh();
    expect(deltas[3]?.events.map((e) => e.event)).toEqual(['close']);
    expect(publisher.snapshot().status.banner).toBeNull();
    expect(publisher.snapshot().fleet?.queryErrors).toBe(1);
    publisher.dispose();
  });

  it("describes the fleet: hosts up and down, scrape ages on Prometheus's clock, each host's own home, losses", async () => {
    const { state, fetch } = fakePrometheus();
    const homes = new FleetHomes([{ instance: 'c', home: { lat: 1, lon: 1, label: 'Nowhere yet' } }]);
    const publisher = createFleetPublisher({ prometheusUrl: 'http://p:9090/', home: { lat: 0, lon: 0, label: 'Here' }, homes, fetch, now: () => 5000 });
    await publisher.refresh();
    expect(publisher.snapshot().fleet).toEqual({
      prometheusUrl: 'http://p:9090/',
      hosts: [
        { instance: 'a:9464', up: true, scrapeAgeMs: 1500, home: { lat: 35.68, lon: 139.69, label: 'Home' }, homeSource: 'host' },
        { instance: 'b:9464', up: false, scrapeAgeMs: 1000, home: { lat: 10, lon: 20, label: 'Lab' }, homeSource: 'label' },
      ],
      refreshedAt: 5000,
      queryErrors: 0,
      eventsLost: 0,
      flowsEvicted: 0,
      closedUnattributed: 2,
    });
    // The hello is this machine's and stays put: no capture of its own to describe, no host list.
    expect(publisher.snapshot().hello).toMatchObject({ home: { label: 'Here' }, limitations: [expect.stringMatching(/fleet mode/)] });
    state.bUp = 1;
    await publisher.refresh();
    expect(publisher.fleet().hosts.map((h) => h.up)).toEqual([true, true]);
    publisher.dispose();
  });
});
