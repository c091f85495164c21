// The selected history window, kept in the URL fragment (so a URL opens on a window, and editing
// the fragment changes it). Setting it replaces the fragment and notifies like a `hashchange`.

import { useCallback, useEffect, useState } from 'react';
import type { HistoryWindow } from '../../../shared/history.js';
import { formatWindowFragment, parseWindowFragment } from './time-window.js';

export function useTimeWindow(): [HistoryWindow | null, (window: HistoryWindow | null) => void] {
  const [current, setCurrent] = useState(() => parseWindowFragment(location.hash));
  useEffect(function followFragment() {
    const onChange = (): void => setCurrent(parseWindowFragment(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const set = useCallback((next: HistoryWindow | null) => {
    const hash = formatWindowFragment(location.hash, next);
    history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
    setCurrent(next);
  }, []);
  return [current, set];
}
