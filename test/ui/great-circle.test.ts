import { describe, expect, it } from 'vitest';
import { greatCircleArc, slerpPath, splitAtAntimeridian } from '../../src/renderer/src/model/great-circle.js';

const RAD = Math.PI / 180;
function distance(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const h = Math.sin(((b.lat - a.lat) * RAD) / 2) ** 2 +
    Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(((b.lon - a.lon) * RAD) / 2) ** 2;
  return 2 * Math.asin(Math.sqrt(h));
}

describe('great-circle arcs', () => {
  it('runs along the great circle: equal steps, ends exact, total = central angle', () => {
    const paris = { lat: 48.8566, lon: 2.3522 };
    const nyc = { lat: 40.7128, lon: -74.006 };
    const path = slerpPath(paris, nyc, 10);
    expect(path).toHaveLength(11);
    expect(path[0]).toEqual(paris);
    expect(path[10]).toEqual(nyc);
    const steps = path.slice(1).map((p, i) => distance(path[i]!, p));
    for (const step of steps) expect(step).toBeCloseTo(distance(paris, nyc) / 10, 9);
    // The great circle from Paris to New York bows north of both ends.
    expect(Math.max(...path.map((p) => p.lat))).toBeGreaterThan(50);
  });

  it('follows the equator and meridians exactly', () => {
    const equator = slerpPath({ lat: 0, lon: 0 }, { lat: 0, lon: 90 }, 3);
    expect(equator.map((p) => Math.round(p.lon))).toEqual([0, 30, 60, 90]);
    for (const p of equator) expect(p.lat).toBeCloseTo(0, 9);
    const meridian = slerpPath({ lat: -60, lon: 10 }, { lat: 60, lon: 10 }, 4);
    for (const p of meridian) expect(p.lon).toBeCloseTo(10, 9);
  });

  it('handles coincident and antipodal points without NaN', () => {
    expect(slerpPath({ lat: 1, lon: 2 }, { lat: 1, lon: 2 }, 8)).toHaveLength(2);
    const anti = slerpPath({ lat: 0, lon: 0 }, { lat: 0, lon: 180 }, 8);
    for (const p of anti) expect(Number.isFinite(p.lat) && Number.isFinite(p.lon)).toBe(true);
  });

  it('splits at the antimeridian, meeting at ±180 with the same latitude', () => {
    const parts = greatCircleArc({ lat: 35.68, lon: 139.65 }, { lat: 37.77, lon: -122.42 });
    expect(parts).toHaveLength(2);
    const end = parts[0]!.at(-1)!;
    const start = parts[1]![0]!;
    expect(end.lon).toBe(180);
    expect(start.lon).toBe(-180);
    expect(end.lat).toBeCloseTo(start.lat, 9);
    for (const part of parts) {
      for (let i = 1; i < part.length; i += 1) expect(Math.abs(part[i]!.lon - part[i - 1]!.lon)).toBeLessThan(180);
    }
  });

  it('interpolates the crossing latitude linearly between the neighbours', () => {
    const parts = splitAtAntimeridian([{ lat: 10, lon: 170 }, { lat: 20, lon: -170 }]);
    expect(parts).toEqual([
      [{ lat: 10, lon: 170 }, { lat: 15, lon: 180 }],
      [{ lat: 15, lon: -180 }, { lat: 20, lon: -170 }],
    ]);
    expect(splitAtAntimeridian([{ lat: 0, lon: -10 }, { lat: 0, lon: 10 }])).toHaveLength(1);
  });
});
