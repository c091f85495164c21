// serve --fleet's reading of Prometheus: vector answers become per-host entries placed at country
// centroids; hosts carry their `home` label; bad answers and timeouts are errors that keep the last
// data and show a banner.

import { describe, expect, it } from 'vitest';
import { fleetEvents, fleetHosts, parseHomeLabel } from '../../../src/core/fleet/fleet-model.js';
import { createFleetPublisher } from '../../../src/core/fleet/fleet-publisher.js';
import { queryVector, type Fetch } from '../../../src/core/fleet/prometheus-api.js';
import type { Delta } from '../../../src/shared/api.js';

const vector = (result: { metric: Record<string, string>; value: [number, string] }[]) => ({ status: 'success', data: { resultType: 'vector', result } });
const answer = (body: unknown, ok = true): ReturnType<Fetch> => Promise.resolve({ ok, status: ok ? 200 : 500, json: () => Promise.resolve(body) });

describe('fleet model', () => {
  it('joins bytes and opened counts per host, process, proto, country and scope', () => {
    const m = { instance: 'a', process: 'curl', proto: 'tcp', country: 'FR', scope: 'internet' };
    const events = fleetEvents(
      [{ metric: { ...m, direction: 'tx' }, value: 100 }, { metric: { ...m, direction: 'rx' }, value: 2500 }],
      [{ metric: m, value: 3 }, { metric: { ...m, instance: 'b', country: 'unknown', scope: 'lan' }, value: 1 }, { metric: { ...m, proto: 'sctp' }, value: 1 }],
      1000,
    );
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ instance: 'a', txBytes: 100, rxBytes: 2500, process: { name: 'curl' }, remote: { scope: 'internet', geo: { country: 'FR', lat: 46.62, lon: 2.45 } } });
    expect(events[1]).toMatchObject({ instance: 'b', remote: { scope: 'lan', geo: null, host: 'no location' } });
  });

  it('reads hosts and their home labels, refusing bad coordinates', () => {
    expect(parseHomeLabel('48.85,2.35,Paris lab', 'a')).toEqual({ lat: 48.85, lon: 2.35, label: 'Paris lab' });
    expect(parseHomeLabel('91,0', 'a')).toBeNull();
    expect(parseHomeLabel(undefined, 'a')).toBeNull();
    expect(fleetHosts([{ metric: { instance: 'b' }, value: 1 }, { metric: { instance: 'a', home: '1,2' }, value: 1 }, { metric: {}, value: 1 }])).toEqual([
      { instance: 'a', home: { lat: 1, lon: 2, label: 'a' } },
      { instance: 'b', home: null },
    ]);
  });
});

describe('Prometheus API client', () => {
  it('returns finite vector samples and turns errors, junk and timeouts into messages', async () => {
    const ok: Fetch = () => answer(vector([{ metric: { a: '1' }, value: [1, '5'] }, { metric: {}, value: [1, 'NaN'] }]));
    await expect(queryVector('http://p:9090', 'up', { timeoutMs: 1000, fetch: ok })).resolves.toEqual([{ metric: { a: '1' }, value: 5 }]);
    await expect(queryVector('http://p:9090', 'up', { timeoutMs: 1000, fetch: () => answer({ status: 'error', error: 'parse error' }, false) })).rejects.toThrow('parse error');
    await expect(queryVector('http://p:9090', 'up', { timeoutMs: 1000, fetch: () => answer('<html>') })).rejects.toThrow(/not a Prometheus API answer/);
    await expect(queryVector('http://p:9090', 'up', { timeoutMs: 1000, fetch: () => answer({ status: 'success', data: { resultType: 'matrix', result: [] } }) })).rejects.toThrow(/not a vector/);
    const hang: Fetch = (_url, init) => new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
    await expect(queryVector('http://p:9090', 'up', { timeoutMs: 50, fetch: hang })).rejects.toThrow(/no answer within 50 ms/);
  });
});

describe('fleet publisher', () => {
  it('sends opens, then updates for changed counters and closes for vanished entries; a failed refresh keeps the data and shows a banner', async () => {
    let bytes = 100;
    let fail = false;
    let present = true;
    const fetch: Fetch = (url) => {
      if (fail) return Promise.reject(new Error('connect ECONNREFUSED'));
      const q = new URL(url).searchParams.get('query') ?? '';
      const m = { instance: 'a', process: 'curl', proto: 'tcp', country: 'FR', scope: 'internet' };
      if (q.includes('capture_info')) return answer(vector([{ metric: { instance: 'a', home: '10,20,Lab' }, value: [1, '1'] }]));
      if (q.includes('bytes_total')) return answer(vector(present ? [{ metric: { ...m, direction: 'tx' }, value: [1, String(bytes)] }] : []));
      if (q.includes('connections_total')) return answer(vector(present ? [{ metric: m, value: [1, '1'] }] : []));
      return answer(vector([{ metric: {}, value: [1, '0'] }]));
    };
    const publisher = createFleetPublisher({ prometheusUrl: 'http://p:9090/', home: { lat: 0, lon: 0, label: 'Here' }, fetch });
    const deltas: Delta[] = [];
    publisher.onDelta((d) => deltas.push(d));
    await publisher.refresh();
    expect(deltas[0]?.events.map((e) => e.event)).toEqual(['open']);
    expect(publisher.snapshot().hello.home).toEqual({ lat: 10, lon: 20, label: 'Lab' });
    bytes = 300;
    await publisher.refresh();
    expect(deltas[1]?.events.map((e) => [e.event, e.txBytes])).toEqual([['update', 300]]);
    fail = true;
    await publisher.refresh();
    expect(deltas[2]?.status?.banner?.message).toContain('ECONNREFUSED');
    expect(publisher.snapshot().connections).toHaveLength(1);
    fail = false;
    present = false;
    await publisher.refresh();
    expect(deltas[3]?.events.map((e) => e.event)).toEqual(['close']);
    expect(publisher.snapshot().status.banner).toBeNull();
    publisher.dispose();
  });
});
