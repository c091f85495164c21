// `window.snitchmap`: the only thing the renderer talks to. Implemented by the Electron preload (IPC)
// and by the web transport of `snitchmap serve` (WebSocket on 127.0.0.1 behind a token). One
// definition, checked against both implementations at compile time.

import type { ConnectionEvent, HelloMessage, StatsMessage } from './contract.js';
import type { Settings } from './settings.js';
import type { FleetStatus } from './fleet.js';

/** Declared, with its defaults and rules, in settings.ts. */
export type { Settings };
import type { HistoryFilter, HistoryResult, HistoryWindow, Timeline } from './history.js';

export interface Banner {
  kind: 'info' | 'warning' | 'error';
  message: string;
  /** True when `retryCapture()` may help (elevation cancelled, helper died, ...). */
  canRetry: boolean;
}

export interface AppStatus {
  paused: boolean;
  capture: 'ebpf' | 'proc' | 'none';
  banner: Banner | null;
}

export interface Snapshot {
  hello: HelloMessage;
  /** Latest state of every live or recently closed connection, one entry per id. */
  connections: ConnectionEvent[];
  stats: StatsMessage;
  status: AppStatus;
  /** Additive: icons (data: URLs) by desktop entry id (`process.app.desktop`), for the app list. */
  appIcons?: Record<string, string>;
  /** Additive: only `serve --fleet` sends it; the UI then describes the fleet instead of a capture. */
  fleet?: FleetStatus;
}

/** A batch of changes, delivered at most a few times per second. */
export interface Delta {
  events: ConnectionEvent[];
  stats?: StatsMessage;
  status?: AppStatus;
  /** Sent when the capture restarted (new hello): the client should refetch the snapshot. */
  hello?: HelloMessage;
  /** True after clear(): drop everything held before applying `events`. */
  cleared?: boolean;
  /** Icons of apps first seen in this delta, by desktop entry id (see Snapshot.appIcons). */
  appIcons?: Record<string, string>;
  /** Fleet mode: the fleet's state after each refresh (see Snapshot.fleet). */
  fleet?: FleetStatus;
}

export interface SnitchmapApi {
  getSnapshot(): Promise<Snapshot>;
  /** Returns the unsubscribe function. */
  onDelta(listener: (delta: Delta) => void): () => void;
  pause(): Promise<void>;
  resume(): Promise<void>;
  clear(): Promise<void>;
  getSettings(): Promise<Settings>;
  updateSettings(patch: Partial<Settings>): Promise<Settings>;
  /** Ask for privileged capture again (desktop: polkit prompt). */
  retryCapture(): Promise<void>;
  /** The connections active in a time window, from the history (src/shared/history.ts). */
  getHistory(window: HistoryWindow, filter?: HistoryFilter): Promise<HistoryResult>;
  /** Traffic per bin of `stepMs` (at least a minute) over [from, to), for the timeline. */
  getTimeline(range: HistoryWindow & { stepMs: number }): Promise<Timeline>;
}

/** The method names, for transports that build the API from the contract. */
export const API_METHODS = [
  'getSnapshot',
  'pause',
  'resume',
  'clear',
  'getSettings',
  'updateSettings',
  'retryCapture',
  'getHistory',
  'getTimeline',
] as const satisfies ReadonlyArray<Exclude<keyof SnitchmapApi, 'onDelta'>>;

declare global {
  interface Window {
    snitchmap: SnitchmapApi;
  }
}
