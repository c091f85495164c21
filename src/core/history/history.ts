// The history as the engine's process sees it: opens the store (or explains why not), records
// engines attached to it, prunes on a schedule, and answers the queries of the UI and the CLI.
// Never throws after construction: a history that cannot work is a disabled one with a notice.

import type { HistoryFilter, HistoryResult, HistoryWindow, Timeline } from '../../shared/history.js';
import type { Engine } from '../engine-types.js';
import { openHistoryStore, type OpenedStore } from './open-store.js';
import { queryTimeline, queryWindow } from './queries.js';
import { Recorder, type FirstSeen } from './recorder.js';
import { DEFAULT_RETENTION, prune, type PruneMark, type RetentionLimits } from './retention.js';

export interface HistoryOptions {
  /** null: history off (--no-history, or the setting). */
  file: string | null;
  retention?: Partial<RetentionLimits>;
  now?: () => number;
  /** Told once each: a file moved aside, a locked file, a write that failed. */
  onWarning?: (message: string) => void;
  onFirstSeen?: (first: FirstSeen) => void;
  flushMs?: number;
  pruneEveryMs?: number;
}

export interface History {
  readonly file: string | null;
  /** Why history is off or what happened to the file found; null when all is well. */
  readonly notice: string | null;
  readonly enabled: boolean;
  attach(engine: Pick<Engine, 'onMessage' | 'onCleared'>): () => void;
  query(window: HistoryWindow, filter?: HistoryFilter): HistoryResult;
  timeline(from: number, to: number, stepMs: number): Timeline;
  /** Commits what is pending now (tests, shutdown). */
  flush(): void;
  close(): void;
}

/** A history that keeps nothing and says why (`notice`). */
export function disabledHistory(file: string | null, notice: string | null): History {
  return {
    file,
    notice,
    enabled: false,
    attach: () => () => undefined,
    query: () => ({ enabled: false, file, connections: [], total: 0, truncated: false, notice }),
    timeline: (_from, _to, stepMs) => ({ enabled: false, oldest: null, stepMs, bins: [], notice }),
    flush: () => undefined,
    close: () => undefined,
  };
}

export function openHistory(options: HistoryOptions): History {
  const warn = options.onWarning ?? (() => undefined);
  const now = options.now ?? Date.now;
  if (options.file === null) return disabledHistory(null, 'history is off');
  let store: OpenedStore;
  try {
    store = openHistoryStore(options.file, now);
  } catch (error) {
    const notice = `history off: ${(error as Error).message}`;
    warn(notice);
    return disabledHistory(options.file, notice);
  }
  if (store.notice !== null) warn(store.notice);
  const limits: RetentionLimits = { ...DEFAULT_RETENTION, ...options.retention };
  let mark: PruneMark | undefined;
  const runPrune = (): void => {
    try {
      mark = prune(store.db, limits, now(), mark).mark;
    } catch (error) {
      warn(`history: pruning failed: ${(error as Error).message}`);
    }
  };
  runPrune();
  const pruner = setInterval(runPrune, options.pruneEveryMs ?? 10 * 60_000);
  pruner.unref();
  const recorder = new Recorder(store.db, {
    now,
    onWarning: warn,
    ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
    ...(options.onFirstSeen ? { onFirstSeen: options.onFirstSeen } : {}),
  });
  let closed = false;
  return {
    file: store.file,
    notice: store.notice,
    enabled: true,
    attach: (engine) => recorder.attach(engine),
    query(window, filter) {
      recorder.flush();
      return { enabled: true, file: store.file, ...queryWindow(store.db, window, filter), notice: store.notice };
    },
    timeline(from, to, stepMs) {
      recorder.flush();
      return { enabled: true, stepMs, ...queryTimeline(store.db, from, to, stepMs), notice: store.notice };
    },
    flush: () => recorder.flush(),
    close() {
      if (closed) return;
      closed = true;
      clearInterval(pruner);
      recorder.close();
      store.close();
    },
  };
}
