// The engine's public face, used by `snitchmap watch`, `snitchmap serve` and the Electron main
// process. The engine joins capture records into connections, enriches them (names, scope, geo,
// ASN) and emits the watch --json contract; the publisher batches that for UIs.

import type { AppStatus, Delta, Snapshot } from '../shared/api.js';
import type { ConnectionEvent, HelloMessage, StatsMessage, WatchMessage } from '../shared/contract.js';
import type { CaptureSource } from './capture/source.js';

export interface EngineOptions {
  source: CaptureSource;
  /** --geoip FILE: a MaxMind GeoLite2/GeoIP2 City file or a DB-IP City file (schema detected); unusable → createEngine throws. */
  geoipPath?: string;
  /** --locations FILE: JSON array of {cidr, label, lat, lon}, unusable → createEngine throws; `locations.json` in configDir is also read. */
  locationsPath?: string;
  /** --home LAT,LON; otherwise the config file, otherwise guessed offline from the time zone. */
  home?: { lat: number; lon: number; label?: string };
  /** XDG config dir of snitchmap (default $XDG_CONFIG_HOME/snitchmap or ~/.config/snitchmap). */
  configDir?: string;
  /** Clock, injectable for tests. */
  now?: () => number;
  /** Problems found while loading (bad locations entries, a broken optional file): reported, not fatal. */
  onWarning?: (message: string) => void;
}

export interface Engine {
  /** Starts the source and resolves with the hello (first message of watch --json). */
  start(): Promise<HelloMessage>;
  stop(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Forgets every connection held (UI "clear"); counters of live flows restart from their current value. */
  clear(): void;
  /** Every message of the contract, in order: hello, connection events, periodic stats. */
  onMessage(listener: (message: WatchMessage) => void): () => void;
  /** Latest state of each connection held (live and recently closed). */
  connections(): ConnectionEvent[];
  /** The hello of the running capture; before start() resolves, one with no probes attached yet. */
  hello(): HelloMessage;
  /** Current counters (the same shape as the periodic stats message). */
  stats(): StatsMessage;
  /** Called after clear(), so a publisher can tell its clients to drop what they hold. */
  onCleared(listener: () => void): () => void;
  /** The icon (data: URL) of a desktop entry named in `process.app.desktop`, or null. */
  appIcon?(desktopId: string): string | null;
}

/** Batches engine messages into snapshot + deltas for window.snitchmap (a few per second). */
export interface Publisher {
  snapshot(): Snapshot;
  onDelta(listener: (delta: Delta) => void): () => void;
  setStatus(status: Partial<AppStatus>): void;
  dispose(): void;
}
