// --history FILE / --no-history for watch and serve: which file, opened how. The store is loaded
// lazily by main.ts (a native module: --help and usage errors must not need it).

import type { Settings } from '../shared/api.js';
import { openHistory, type History } from '../core/history/history.js';
import { defaultHistoryPath } from '../core/history/paths.js';
import { DAY_MS } from '../core/history/retention.js';
import type { CommonOptions } from './args.js';

export type OpenCliHistory = (options: CommonOptions, warn: (message: string) => void, settings?: Settings['history']) => History;

/** The settings' history section (desktop app and serve) wins over the defaults; --no-history over both. */
export const openCliHistory: OpenCliHistory = (options, warn, settings) => {
  const off = options.history === null || (options.history === undefined && settings?.enabled === false);
  return openHistory({
    file: off ? null : (options.history ?? defaultHistoryPath()),
    onWarning: warn,
    ...(settings ? { retention: { maxAgeMs: settings.retentionDays * DAY_MS, maxBytes: settings.maxMegabytes * 1024 * 1024 } } : {}),
  });
};
