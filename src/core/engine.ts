// The engine: a capture source's records in, the watch --json contract out. Wires the tracker to
// the enrichment sources, runs the tick that emits due events and the periodic stats.
import type { CaptureStats } from '../shared/capture.js';
import { CONTRACT_VERSION, PROBE_CAPABILITIES, type HelloMessage, type Probes, type StatsMessage, type WatchMessage } from '../shared/contract.js';
import type { CaptureSink } from './capture/source.js';
import { NameCache } from './dns/name-cache.js';
import type { Engine, EngineOptions } from './engine-types.js';
import { createDescriber } from './enrichment.js';
import { loadEnrichment, type EnrichmentFactories } from './engine-setup.js';
import { DesktopNames } from './apps/desktop-names.js';
import { Tracker, type TrackerOptions } from './tracker/tracker.js';
import { createUserLookup, type UserLookup } from './tracker/users.js';
import { limitWarnings } from './warning-limiter.js';

export interface EngineTuning extends Partial<EnrichmentFactories> {
  /** Shortest sleep between two tracker ticks (ms): bursts of input share one tick. */
  tickMs?: number;
  /** How often the counters are compared; a stats message goes out when they changed (ms). */
  statsIntervalMs?: number;
  userOf?: UserLookup;
  /** Desktop-entry names and icons of apps; null: none (tests). Default: the user's data dirs. */
  apps?: AppNaming | null;
  tracker?: Pick<TrackerOptions, 'maxConnections' | 'updateIntervalMs' | 'udpIdleMs' | 'ownerWaitMs' | 'closedRetentionMs' | 'endGraceMs'>;
}

/** What names apps (DesktopNames, or a test's fake). */
export type AppNaming = Pick<DesktopNames, 'nameApp' | 'iconOf'>;

/** Record batches held before the hello; a source that floods before it says hello loses (and counts) the rest. */
const MAX_HELD_BATCHES = 10_000;

const NO_PROBES = Object.fromEntries(PROBE_CAPABILITIES.map((name) => [name, null])) as Probes;

export function createEngine(options: EngineOptions, tuning: EngineTuning = {}): Engine {
  const now = options.now ?? Date.now;
  const warn = options.onWarning ?? (() => undefined);
  const warnRepeated = limitWarnings(warn, now);
  const listeners = new Set<(message: WatchMessage) => void>();
  const clearedListeners = new Set<() => void>();
  // A listener that throws (a closed stdout, a dead WebSocket) must not abort the tracker halfway
  // through a batch: its error is reported and the other listeners still get the message.
  const emit = (message: WatchMessage): void => {
    for (const listener of listeners) {
      try {
        listener(message);
      } catch (error) {
        warnRepeated('listener', `message listener failed: ${(error as Error).message}`);
      }
    }
  };
  const names = new NameCache();
  const hostFor = (ip: string): string | null => names.hostFor(ip, now());
  const enrichment = loadEnrichment(options, warn, tuning);
  const apps = tuning.apps === undefined ? new DesktopNames() : tuning.apps;
  const tracker = new Tracker({
    now,
    ...(apps ? { nameApp: apps.nameApp } : {}),
    emit,
    hostFor,
    userOf: tuning.userOf ?? createUserLookup(),
    describeRemote: createDescriber({ ...enrichment, hostFor, onLookupError: (message) => warnRepeated('geoip-lookup', message) }),
    ...tuning.tracker,
  });
  let hello: HelloMessage = {
    type: 'hello',
    version: CONTRACT_VERSION,
    capture: options.source.kind,
    probes: NO_PROBES,
    geoip: enrichment.geolocator.info,
    home: enrichment.home,
    homeSource: enrichment.homeSource,
    attributions: enrichment.attributions,
  };
  const kernel: Pick<CaptureStats, 'eventsLost' | 'flowsEvicted'> & { heldDropped: number } = { eventsLost: 0, flowsEvicted: 0, heldDropped: 0 };
  // The tracker says when something next falls due; input wakes it at once. Nothing runs while
  // nothing happens (a 100 ms tick timer was half the engine's idle CPU).
  let tickTimer: NodeJS.Timeout | null = null;
  let tickAt = Infinity;
  const minTickMs = tuning.tickMs ?? 0;
  const runTick = (): void => {
    tickTimer = null;
    tickAt = Infinity;
    if (!running) return;
    const due = tracker.tick();
    if (due !== Infinity) scheduleTick(Math.max(minTickMs, due - now()));
    statsMayHaveChanged();
  };
  // Stats are checked after something happened (a tick, the source's counters, a DNS payload), at
  // most once per interval, never on an idle clock: a 2 s check timer was most of the engine's
  // idle CPU (0.17 % of a core measured, with the helper 0.25 %).
  let statsTimer: NodeJS.Timeout | null = null;
  const statsMayHaveChanged = (): void => {
    if (statsTimer !== null || !running) return;
    statsTimer = setTimeout(() => {
      statsTimer = null;
      if (running) emitStatsIfChanged();
    }, tuning.statsIntervalMs ?? 2_000);
  };
  const scheduleTick = (delayMs: number): void => {
    if (!running) return;
    const at = now() + delayMs;
    if (tickTimer !== null && tickAt <= at) return;
    if (tickTimer !== null) clearTimeout(tickTimer);
    tickAt = at;
    tickTimer = setTimeout(runTick, delayMs);
  };
  const afterInput = (): void => scheduleTick(minTickMs);
  let running = false;
  let starting: Promise<HelloMessage> | null = null;

  const stats = (): StatsMessage => {
    const counters = tracker.stats();
    return {
      type: 'stats',
      ts: now(),
      eventsLost: kernel.eventsLost + kernel.heldDropped,
      flowsEvicted: kernel.flowsEvicted + counters.evicted,
      unattributed: counters.unattributed,
      connections: counters.live,
      dnsMalformed: names.stats().malformed,
      dnsUnmatched: names.stats().unmatched,
    };
  };

  const stopTimers = (): void => {
    if (statsTimer !== null) clearTimeout(statsTimer);
    statsTimer = null;
    if (tickTimer !== null) clearTimeout(tickTimer);
    tickTimer = null;
    tickAt = Infinity;
  };
  let lastStats = '';
  const emitStatsIfChanged = (): void => {
    const message = stats();
    const { ts: _ts, ...counters } = message;
    const text = JSON.stringify(counters);
    if (text === lastStats) return;
    lastStats = text;
    emit(message);
  };

  // Records a source delivers before start() resolved (the helper's first batch can arrive in the
  // same read as its hello) wait here: the hello is the stream's first message, always.
  const beforeHello: Array<() => void> = [];
  const whenStarted = (apply: () => void): void => {
    if (running) {
      apply();
      afterInput();
    } else if (beforeHello.length < MAX_HELD_BATCHES) {
      beforeHello.push(apply);
    } else {
      kernel.heldDropped++;
    }
  };
  const sink: CaptureSink = {
    flows: (samples) => whenStarted(() => tracker.flows(samples)),
    flowEnds: (ends) => whenStarted(() => tracker.flowEnds(ends)),
    owners: (owners) => whenStarted(() => tracker.owners(owners)),
    dns: (messages) => {
      for (const message of messages) names.ingest(message, now());
      statsMayHaveChanged();
    },
    stats: (captured) => {
      kernel.eventsLost = captured.eventsLost;
      kernel.flowsEvicted = captured.flowsEvicted;
      statsMayHaveChanged();
    },
    failed: (error) => {
      warn(`capture stopped: ${error.message}`);
      running = false;
      starting = null;
      stopTimers();
      tracker.closeAll();
      emit(stats());
    },
  };

  const startCapture = async (): Promise<HelloMessage> => {
    const captured = await options.source.start(sink);
    tracker.setPresenceMeansActivity(captured.capture === 'proc');
    hello = {
      type: 'hello',
      version: CONTRACT_VERSION,
      capture: captured.capture,
      probes: captured.probes,
      geoip: enrichment.geolocator.info,
      home: enrichment.home,
      homeSource: enrichment.homeSource,
      limitations: captured.limitations,
      attributions: enrichment.attributions,
    };
    running = true;
    emit(hello);
    for (const apply of beforeHello.splice(0)) apply();
    afterInput();
    return hello;
  };

  return {
    start() {
      starting ??= startCapture().catch((error: unknown) => {
        starting = null;
        beforeHello.length = 0;
        throw error;
      });
      return starting;
    },
    async stop() {
      starting = null;
      stopTimers();
      if (running) emit(stats());
      running = false;
      await options.source.stop();
    },
    appIcon: (desktopId) => apps?.iconOf(desktopId) ?? null,
    pause: () => options.source.pause(),
    resume: () => options.source.resume(),
    clear() {
      tracker.clear();
      afterInput(); // live flows reopen at the next tick
      for (const listener of clearedListeners) listener();
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onCleared(listener) {
      clearedListeners.add(listener);
      return () => clearedListeners.delete(listener);
    },
    hello: () => hello,
    stats,
    connections: () => tracker.connections(),
  };
}
