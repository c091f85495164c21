// The history part of window.snitchmap (getHistory, getTimeline), written once for both
// transports (desktop IPC, serve's WebSocket). Arguments come from a page: every one is checked.

import type { HistoryFilter, HistoryResult, HistoryWindow, Timeline } from '../../shared/history.js';
import type { History } from './history.js';

export class HistoryParamsError extends Error {
  override name = 'HistoryParamsError';
}

/**
 * The UI's bound: past this many a window's list keeps the newest, and the page shows how many more
 * there are (`total`). Sized for "a 24 h window ready on the map in ≤ 300 ms": every connection
 * sent costs the query, JSON both ways and a view in the renderer's store (bench/RESULTS.md, History).
 */
export const UI_LIMIT = 5_000;
/**
 * Tests only: a lower bound than UI_LIMIT, so a UI test shows a cut window (and the filters that
 * reach past it) with a handful of rows instead of 5,000+ (test/ui/serve-history.e2e.test.ts).
 * Anything but an integer in [1, UI_LIMIT) leaves UI_LIMIT.
 */
export const TEST_LIMIT_ENV = 'SNITCHMAP_TEST_HISTORY_LIMIT';
function uiLimit(): number {
  const value = Number(process.env[TEST_LIMIT_ENV]);
  return Number.isSafeInteger(value) && value >= 1 && value < UI_LIMIT ? value : UI_LIMIT;
}
const MIN_STEP_MS = 60_000;
const MAX_BINS = 5_000;

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HistoryParamsError(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function time(value: unknown, what: string): number {
  // Up to year 275760 (the Date range); negative means before 1970, refused.
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 8.64e15) throw new HistoryParamsError(`${what} must be milliseconds since the epoch`);
  return value;
}

export function parseWindow(value: unknown): HistoryWindow {
  const fields = record(value, 'window');
  const from = time(fields.from, 'window.from');
  const to = time(fields.to, 'window.to');
  if (from > to) throw new HistoryParamsError('window.from must not be after window.to');
  return { from, to };
}

export function parseFilter(value: unknown, bound = UI_LIMIT): HistoryFilter {
  if (value === undefined || value === null) return { limit: bound };
  const fields = record(value, 'filter');
  const filter: HistoryFilter = { limit: bound };
  if (fields.process !== undefined) {
    if (typeof fields.process !== 'string' || fields.process.length > 64) throw new HistoryParamsError('filter.process must be a short string');
    filter.process = fields.process;
  }
  if (fields.country !== undefined) {
    if (typeof fields.country !== 'string' || !/^[A-Za-z]{2}$/.test(fields.country)) throw new HistoryParamsError('filter.country must be two letters');
    filter.country = fields.country;
  }
  if (fields.limit !== undefined) {
    if (typeof fields.limit !== 'number' || !Number.isSafeInteger(fields.limit) || fields.limit < 1) throw new HistoryParamsError('filter.limit must be a positive integer');
    filter.limit = Math.min(fields.limit, bound);
  }
  return filter;
}

export interface HistoryApi {
  getHistory(window: unknown, filter?: unknown): Promise<HistoryResult>;
  getTimeline(range: unknown): Promise<Timeline>;
}

/** `history()` is asked at each call: the desktop app may reopen the store (settings change). */
export function createHistoryApi(history: () => History): HistoryApi {
  const bound = uiLimit();
  return {
    async getHistory(window, filter) {
      return history().query(parseWindow(window), parseFilter(filter, bound));
    },
    async getTimeline(range) {
      const { from, to } = parseWindow(range);
      const stepMs = time(record(range, 'range').stepMs, 'range.stepMs');
      if (stepMs < MIN_STEP_MS || (to - from) / stepMs > MAX_BINS) throw new HistoryParamsError(`range.stepMs must be at least ${MIN_STEP_MS} and give at most ${MAX_BINS} bins`);
      return history().timeline(from, to, stepMs);
    },
  };
}
