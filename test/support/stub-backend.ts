// A do-nothing ApiBackend for tests of `serve`'s server side: a snapshot source, default settings,
// every verb answered; tests override only the verbs they watch.
import type { ApiBackend } from '../../src/cli/serve/live-api.js';
import { DEFAULT_SETTINGS } from '../../src/cli/settings-store.js';
import { createHistoryApi } from '../../src/core/history/api.js';
import { disabledHistory } from '../../src/core/history/history.js';

export function stubBackend(getSnapshot: ApiBackend['getSnapshot'], overrides: Partial<ApiBackend> = {}): ApiBackend {
  return {
    getSnapshot,
    pause: async () => undefined,
    resume: async () => undefined,
    clear: () => undefined,
    getSettings: () => DEFAULT_SETTINGS,
    updateSettings: () => DEFAULT_SETTINGS,
    retryCapture: async () => undefined,
    ...createHistoryApi(() => disabledHistory(null, 'history is off')),
    ...overrides,
  };
}
