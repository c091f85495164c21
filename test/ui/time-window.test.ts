// The history window in the URL fragment, and serve's token leaving the fragment without it.
import { describe, expect, it } from 'vitest';
import { formatWindowFragment, parseWindowFragment } from '../../src/renderer/src/history/time-window.js';
import { windowCountText } from '../../src/renderer/src/history/window-count.js';
import { takePageToken } from '../../src/web-transport/page-token.js';

const FROM = Date.UTC(2026, 0, 31, 8, 0, 0);
const TO = Date.UTC(2026, 0, 31, 9, 30, 0);

describe('#from=…&to=… fragment', () => {
  it('round-trips a window and keeps the other parameters', () => {
    const hash = formatWindowFragment('#other=1', { from: FROM, to: TO });
    expect(hash).toBe('#other=1&from=2026-01-31T08%3A00%3A00.000Z&to=2026-01-31T09%3A30%3A00.000Z');
    expect(parseWindowFragment(hash)).toEqual({ from: FROM, to: TO });
    expect(parseWindowFragment('#from=2026-01-31T10:00+02:00&to=2026-01-31T09:30:00Z')).toEqual({ from: FROM, to: TO });
    expect(formatWindowFragment(hash, null)).toBe('#other=1');
    expect(formatWindowFragment('#from=a&to=b', null)).toBe('');
  });

  it('is live (null) when a bound is missing, malformed, without a zone, or inverted', () => {
    for (const hash of ['', '#', '#from=2026-01-31T08:00Z', '#from=yesterday&to=today', '#from=2026-01-31T08:00&to=2026-01-31T09:00', '#from=2026-01-31T09:00Z&to=2026-01-31T08:00Z']) {
      expect(parseWindowFragment(hash), hash).toBeNull();
    }
  });

  it("serve's page removes only the token from the fragment", () => {
    const replaced: string[] = [];
    const store = new Map<string, string>();
    const token = takePageToken({
      location: { hash: '#token=abc&from=2026-01-31T08%3A00%3A00.000Z&to=2026-01-31T09%3A30%3A00.000Z', pathname: '/', search: '' },
      sessionStorage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) },
      history: { replaceState: (_d, _u, url) => void replaced.push(url ?? '') },
    });
    expect(token).toBe('abc');
    expect(replaced).toEqual(['/#from=2026-01-31T08%3A00%3A00.000Z&to=2026-01-31T09%3A30%3A00.000Z']);
  });
});

describe('the timeline connection count', () => {
  it('names the whole window, or how many more a cut answer left out', () => {
    expect(windowCountText(0, 0)).toBe('0 connections');
    expect(windowCountText(1, 1)).toBe('1 connection');
    expect(windowCountText(5000, 100_000)).toBe('5,000 of 100,000 connections, newest first · 95,000 more: narrow the window to see them');
  });
});
