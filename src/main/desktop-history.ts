// The desktop app's history file: the settings' `history` section (read at start) or
// SNITCHMAP_HISTORY; recorded across capture sessions by src/core/app/session-history.ts. First-seen
// pairs go to the notifier.

import { recordSessions, type SessionHistory } from '../core/app/session-history.js';
import { openHistory } from '../core/history/history.js';
import { defaultHistoryPath } from '../core/history/paths.js';
import type { FirstSeen } from '../core/history/recorder.js';
import { DAY_MS } from '../core/history/retention.js';
import { DEFAULT_HISTORY_SETTINGS } from '../core/history/settings.js';
import type { Settings } from '../shared/api.js';
import type { CaptureSupervisor } from '../core/app/capture-supervisor.js';

export type DesktopHistory = SessionHistory;

export function createDesktopHistory(
  supervisor: CaptureSupervisor,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  onWarning: (message: string) => void,
  onFirstSeen: (first: FirstSeen) => void,
): DesktopHistory {
  const chosen = settings.history ?? DEFAULT_HISTORY_SETTINGS;
  // SNITCHMAP_HISTORY: the desktop app's --history (tests, a second profile); empty keeps nothing.
  const override = env.SNITCHMAP_HISTORY;
  const file = override !== undefined ? (override === '' ? null : override) : chosen.enabled ? defaultHistoryPath(env) : null;
  const history = openHistory({
    file,
    onWarning,
    onFirstSeen,
    retention: { maxAgeMs: chosen.retentionDays * DAY_MS, maxBytes: chosen.maxMegabytes * 1024 * 1024 },
  });
  return recordSessions(supervisor, history);
}
