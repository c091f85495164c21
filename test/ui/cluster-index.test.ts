import { describe, expect, it } from 'vitest';
import { ClusterIndex, WORLD } from '../../src/renderer/src/map/cluster-index.js';
import type { LocationPoint } from '../../src/renderer/src/model/locations.js';

function place(key: string, lat: number, lon: number, bytes = 100, state: LocationPoint['state'] = 'active'): LocationPoint {
  return { key, lat, lon, label: key, zone: null, state, connections: 1, open: 1, bytes, rate: 0, pulse: false, lastSeen: 0, hosts: [] };
}

const europe = [place('paris', 48.85, 2.35), place('berlin', 52.52, 13.4, 50, 'closed'), place('rome', 41.9, 12.5)];
const asia = [place('tokyo', 35.68, 139.65), place('osaka', 34.69, 135.5)];

describe('ClusterIndex', () => {
  it('draws nothing, without throwing, when no place is located (only zones, e.g. loopback)', () => {
    expect(new ClusterIndex().items([], 2, WORLD)).toEqual([]);
    expect(new ClusterIndex().items([], 12, WORLD)).toEqual([]);
  });

  it('clusters nearby places when zoomed out, summing traffic and taking the liveliest state', () => {
    const items = new ClusterIndex().items([...europe, ...asia], 1);
    const clusters = items.filter((i) => i.clusterId !== null);
    expect(items.reduce((n, i) => n + i.places, 0)).toBe(5);
    const eu = clusters.find((c) => c.places === 3);
    expect(eu).toMatchObject({ bytes: 250, connections: 3, state: 'active' });
  });

  it("gives a cluster the hosts of all its places (fleet mode: its arcs leave each of their homes)", () => {
    const hosted = [{ ...europe[0]!, hosts: ['host-b'] }, { ...europe[1]!, hosts: ['host-a', 'host-b'] }, { ...europe[2]!, hosts: ['host-c'] }];
    const items = new ClusterIndex().items(hosted, 1);
    expect(items.find((i) => i.places === 3)?.hosts).toEqual(['host-a', 'host-b', 'host-c']);
    expect(new ClusterIndex().items(hosted, 9, WORLD).find((i) => i.key === 'berlin')?.hosts).toEqual(['host-a', 'host-b']);
  });

  it('shows single places inside the view when zoomed in, and coarse clusters for the rest', () => {
    const index = new ClusterIndex();
    const items = index.items([...europe, ...asia], 7, [0, 40, 20, 55]);
    expect(items.filter((i) => i.clusterId === null).map((i) => i.key).sort()).toEqual(['berlin', 'paris', 'rome']);
    const outside = items.filter((i) => i.clusterId !== null);
    expect(outside).toHaveLength(1);
    expect(outside[0]).toMatchObject({ places: 2, lon: expect.closeTo(137.6, 0) });
    expect(index.expansionZoom(outside[0]!.clusterId!)).toBeGreaterThan(2);
  });

  it('follows the current points: new places rebuild the index, gone places disappear', () => {
    const index = new ClusterIndex();
    expect(index.items(europe, 9, WORLD)).toHaveLength(3);
    expect(index.items([...europe, place('lisbon', 38.72, -9.14)], 9, WORLD)).toHaveLength(4);
    expect(index.items(europe.slice(1), 9, WORLD).map((i) => i.key).sort()).toEqual(['berlin', 'rome']);
  });
});
