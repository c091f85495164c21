// The scripted `window.snitchmap` for e2e tests: installed with page.addInitScript before the bundle
// runs. The test pushes deltas with `window.__test.push(delta)` and reads the calls made.

import type { Delta, Settings, Snapshot, SnitchmapApi } from '../../../src/shared/api.js';

export interface TestHooks {
  push(delta: Delta): void;
  calls: string[];
}

declare global {
  interface Window {
    __test: TestHooks;
  }
}

/** Runs in the page (serialised by playwright): no closures over test-side variables. */
export function installScriptedApi(initial: { snapshot: Snapshot; settings: Settings }): void {
  const listeners = new Set<(delta: Delta) => void>();
  const calls: string[] = [];
  let settings = initial.settings;
  const api: SnitchmapApi = {
    getSnapshot: async () => {
      calls.push('getSnapshot');
      return initial.snapshot;
    },
    onDelta: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pause: async () => void calls.push('pause'),
    resume: async () => void calls.push('resume'),
    clear: async () => void calls.push('clear'),
    retryCapture: async () => void calls.push('retryCapture'),
    getHistory: async () => ({ enabled: false, file: null, connections: [], total: 0, truncated: false, notice: 'history is off' }),
    getTimeline: async (range) => ({ enabled: false, oldest: null, stepMs: range.stepMs, bins: [], notice: 'history is off' }),
    getSettings: async () => settings,
    updateSettings: async (patch) => {
      calls.push(`updateSettings:${JSON.stringify(patch)}`);
      settings = { ...settings, ...patch };
      return settings;
    },
  };
  window.snitchmap = api;
  window.__test = { push: (delta) => listeners.forEach((l) => l(delta)), calls };
}

export const DEFAULT_SETTINGS: Settings = {
  home: null,
  onlineTiles: { enabled: false, url: '', attribution: '' },
  notifications: { newProcess: false, newCountry: false },
};
