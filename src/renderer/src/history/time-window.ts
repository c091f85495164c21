// The history window in the page URL's fragment: `#from=<ISO 8601>&to=<ISO 8601>` (live: neither).
// Other fragment parameters are kept as they are. Pure functions, tested in Node.

import type { HistoryWindow } from '../../../shared/history.js';

// Dates as the UI writes them (toISOString) and as people type them (with an offset or Z).
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function instant(raw: string | null): number | null {
  // A typed `+02:00` reaches us as ' 02:00' (form decoding turns '+' into a space).
  const text = raw?.replace(' ', '+') ?? null;
  if (text === null || !ISO.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/** The window named by a fragment, or null (live) when absent or malformed. */
export function parseWindowFragment(hash: string): HistoryWindow | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const from = instant(params.get('from'));
  const to = instant(params.get('to'));
  if (from === null || to === null || from > to) return null;
  return { from, to };
}

/** The fragment for `window` (null: live), keeping the fragment's other parameters. */
export function formatWindowFragment(hash: string, window: HistoryWindow | null): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  params.delete('from');
  params.delete('to');
  if (window !== null) {
    params.set('from', new Date(window.from).toISOString());
    params.set('to', new Date(window.to).toISOString());
  }
  const text = params.toString();
  return text === '' ? '' : `#${text}`;
}
