// A do-nothing backend for tests of `serve`'s server side: a snapshot source, default settings,
// every verb answered; tests override only the verbs they watch.
import type { ApiBackend } from '../../src/cli/serve/live-api.js';
import type { Snapshot } from '../../src/shared/api.js';
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js';
import { createHistoryApi } from '../../src/core/history/api.js';
import { disabledHistory } from '../../src/core/history/history.js';

export function stubBackend(getSnapshot: () => Snapshot, overrides: Partial<ApiBackend> = {}): ApiBackend {
  return {
    getSnapshot: async () => getSnapshot(),
    pause: async () => undefined,
    resume: async () => undefined,
    clear: async () => undefined,
    getSettings: async () => DEFAULT_SETTINGS,
    updateSettings: async () => DEFAULT_SETTINGS,
    retryCapture: async () => undefined,
    ...createHistoryApi(() => disabledHistory(null, 'history is off')),
    ...overrides,
  };
}
