// The server side of window.snitchmap, for every transport: the desktop's IPC (src/main) and
// serve's WebSocket (src/cli/serve) only carry calls here (after api-call.ts checked them). It
// answers from whichever capture session the supervisor runs and keeps one delta stream across
// session changes (a new session is announced with its hello, which tells the renderer to fetch
// the snapshot again).
//
// A new API method: declare it in src/shared/api.ts (SnitchmapApi, API_METHODS), check its
// arguments in api-call.ts, implement it in the object returned below.

import type { AppStatus, Delta, Settings, SnitchmapApi, Snapshot } from '../../shared/api.js';
import { CONTRACT_VERSION, PROBE_CAPABILITIES, type HelloMessage, type Probes } from '../../shared/contract.js';
import type { CaptureSession } from './capture-session.js';
import type { CaptureSupervisor, SupervisorState } from './capture-supervisor.js';
import type { SettingsStore } from './settings-store.js';
import { SettingExporter } from '../export/metrics/setting-exporter.js';
import { createHistoryApi, type HistoryApi } from '../history/api.js';
import { disabledHistory } from '../history/history.js';

export interface AppBackend extends SnitchmapApi {
  status(): AppStatus;
  dispose(): void;
}

/** What the UI gets while no capture runs (waiting for polkit, or everything failed). */
function idleHello(settings: Settings): HelloMessage {
  const probes = Object.fromEntries(PROBE_CAPABILITIES.map((name) => [name, null])) as Probes;
  return {
    type: 'hello',
    version: CONTRACT_VERSION,
    capture: 'proc',
    probes,
    geoip: null,
    home: settings.home ?? { lat: 0, lon: 0, label: 'home not set' },
    homeSource: settings.home ? 'set' : 'none',
    limitations: ['no capture is running'],
  };
}

export interface AppBackendOptions {
  /** The connection history's queries (default: history off). */
  history?: HistoryApi;
  /** Problems of the metrics endpoint (a port in use): the front end says them its own way. */
  onWarning?: (message: string) => void;
  now?: () => number;
}

export function createAppBackend(supervisor: CaptureSupervisor, settings: SettingsStore, options: AppBackendOptions = {}): AppBackend {
  const now = options.now ?? Date.now;
  const history = options.history ?? createHistoryApi(() => disabledHistory(null, 'history is off'));
  const listeners = new Set<(delta: Delta) => void>();
  let paused = false;
  let session: CaptureSession | null = null;
  let unsubscribe: () => void = () => undefined;
  // The metrics setting (off by default) serves the current session's engine.
  const metrics = new SettingExporter(() => settings.get().metrics, options.onWarning ?? (() => undefined));

  const status = (): AppStatus => {
    const state = supervisor.state();
    return { paused, capture: state.session?.mode ?? 'none', banner: state.banner };
  };
  const emit = (delta: Delta): void => {
    for (const listener of [...listeners]) listener(delta);
  };

  const bind = (state: SupervisorState): void => {
    const changed = state.session !== session;
    if (changed) {
      unsubscribe();
      unsubscribe = () => undefined;
      session = state.session;
      void metrics.use(session?.engine ?? null);
      if (session) {
        if (paused) void session.engine.pause();
        unsubscribe = session.publisher.onDelta(emit);
      }
    }
    const current = status();
    session?.publisher.setStatus(current);
    // A new session is announced with its hello: the renderer then fetches the new snapshot.
    emit({ events: [], status: current, ...(changed && session ? { hello: session.publisher.snapshot().hello } : {}) });
  };
  const stopWatching = supervisor.onChange(bind);

  return {
    ...history,
    status,
    async getSnapshot(): Promise<Snapshot> {
      if (session) return { ...session.publisher.snapshot(), status: status() };
      return {
        hello: idleHello(settings.get()),
        connections: [],
        stats: { type: 'stats', ts: now(), eventsLost: 0, flowsEvicted: 0, unattributed: 0, connections: 0 },
        status: status(),
      };
    },
    onDelta(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async pause() {
      paused = true;
      await session?.engine.pause();
      bind(supervisor.state());
    },
    async resume() {
      paused = false;
      await session?.engine.resume();
      bind(supervisor.state());
    },
    async clear() {
      session?.engine.clear();
    },
    getSettings: async () => settings.get(),
    updateSettings: async (patch) => {
      const next = await settings.update(patch);
      void metrics.use(session?.engine ?? null);
      return next;
    },
    retryCapture: () => supervisor.start(),
    dispose() {
      void metrics.use(null);
      stopWatching();
      unsubscribe();
      listeners.clear();
    },
  };
}
