// The UI's state: built from a snapshot, advanced by deltas. Lives outside React so the map layer
// and the panels both read it; `version` changes on every applied batch (useSyncExternalStore).

import { acceptedIcons } from './app-label.js';
import type { AppStatus, Delta, Snapshot } from '../../../shared/api.js';
import type { ConnectionEvent, HelloMessage, StatsMessage } from '../../../shared/contract.js';
import type { FleetStatus } from '../../../shared/fleet.js';
import { connectionKeys, type ConnectionView } from './connection-view.js';
import { displaySafe } from './display-safe.js';
import { isUsableEvent } from './event-check.js';
import { FilterChoiceCounter, type FilterChoices } from './filter-choices.js';
import { isFleetStatus } from './fleet-summary.js';

/** How long a closed connection stays listed ("recently closed") before the UI forgets it. */
export const CLOSED_RETENTION_MS = 120_000;

export interface StoreState {
  hello: HelloMessage;
  stats: StatsMessage;
  status: AppStatus;
  connections: ReadonlyMap<string, ConnectionView>;
  /** Incremented per applied batch; ConnectionView.movedInBatch === batch means "moved just now". */
  batch: number;
  /** Processes and countries present, for the filter menus; same object while unchanged. */
  choices: FilterChoices;
  /** Events skipped because they lacked fields the UI needs (shown in the status bar). */
  malformedEvents: number;
  /** App icons (data: URLs) by desktop entry id; a new object only when one was added. */
  appIcons: ReadonlyMap<string, string>;
  /** `serve --fleet`'s hosts and health; null outside fleet mode. */
  fleet: FleetStatus | null;
}

export class ConnectionStore {
  private readonly views = new Map<string, ConnectionView>();
  private hello: HelloMessage;
  private stats: StatsMessage;
  private status: AppStatus;
  private batch = 0;
  private listeners = new Set<() => void>();
  private readonly choices = new FilterChoiceCounter();
  private snapshotState: StoreState;
  /** Events that arrived for an id never opened and not in the snapshot: counted, then adopted. */
  orphanEvents = 0;
  private malformedEvents = 0;
  private appIcons: ReadonlyMap<string, string> = new Map();
  private fleet: FleetStatus | null;

  constructor(snapshot: Snapshot) {
    this.fleet = isFleetStatus(snapshot.fleet) ? snapshot.fleet : null;
    this.hello = snapshot.hello;
    this.stats = snapshot.stats;
    this.status = snapshot.status;
    this.addIcons(snapshot.appIcons);
    for (const event of snapshot.connections) this.upsert(event);
    this.snapshotState = this.freeze();
  }

  getState = (): StoreState => this.snapshotState;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Replaces everything (after a capture restart the client refetches the snapshot). */
  reset(snapshot: Snapshot): void {
    this.views.clear();
    this.choices.clear();
    this.fleet = isFleetStatus(snapshot.fleet) ? snapshot.fleet : null;
    this.hello = snapshot.hello;
    this.stats = snapshot.stats;
    this.status = snapshot.status;
    this.addIcons(snapshot.appIcons);
    for (const event of snapshot.connections) this.upsert(event);
    this.commit();
  }

  applyDelta(delta: Delta, now: number): void {
    this.batch += 1;
    if (delta.cleared === true) {
      this.views.clear();
      this.choices.clear();
    }
    if (delta.hello !== undefined) this.hello = delta.hello;
    if (delta.stats !== undefined) this.stats = delta.stats;
    if (delta.status !== undefined) this.status = delta.status;
    if (delta.fleet !== undefined) {
      if (isFleetStatus(delta.fleet)) this.fleet = delta.fleet;
      else this.malformedEvents += 1;
    }
    this.addIcons(delta.appIcons);
    if (Array.isArray(delta.events)) for (const event of delta.events) this.upsert(event);
    else this.malformedEvents += 1;
    this.expireClosed(now);
    this.commit();
  }

  /** Drops closed connections older than the retention (also called on a timer while paused). */
  expire(now: number): void {
    if (this.expireClosed(now)) this.commit();
  }

  private upsert(received: ConnectionEvent): void {
    if (!isUsableEvent(received)) {
      this.malformedEvents += 1;
      return;
    }
    const event = displaySafe(received);
    const previous = this.views.get(event.id);
    if (previous === undefined) {
      if (event.event === 'update' && this.batch > 0) this.orphanEvents += 1;
      const view: ConnectionView = {
        event,
        ...connectionKeys(event),
        firstSeen: event.ts,
        lastSeen: event.ts,
        closedAt: event.event === 'close' ? event.ts : null,
        txRate: 0,
        rxRate: 0,
        // Bytes counted before the snapshot are history, not "just moved": no pulse on startup.
        movedInBatch: this.batch > 0 && event.txBytes + event.rxBytes > 0 ? this.batch : -1,
      };
      this.views.set(event.id, view);
      this.choices.add(view);
      return;
    }
    // A late event (e.g. buffered before the snapshot that already includes it) must not roll counters back.
    if (event.ts < previous.lastSeen || (event.ts === previous.lastSeen && previous.closedAt !== null)) return;
    const old = previous.event;
    const seconds = (event.ts - previous.lastSeen) / 1000;
    const txMoved = Math.max(0, event.txBytes - old.txBytes);
    const rxMoved = Math.max(0, event.rxBytes - old.rxBytes);
    const moved = txMoved + rxMoved > 0;
    const view: ConnectionView = {
      event,
      // The process can be attributed, and the name learnt, after the open: derive again.
      ...connectionKeys(event),
      firstSeen: previous.firstSeen,
      lastSeen: Math.max(previous.lastSeen, event.ts),
      closedAt: event.event === 'close' ? event.ts : previous.closedAt,
      txRate: event.event === 'close' ? 0 : seconds > 0 ? txMoved / seconds : previous.txRate,
      rxRate: event.event === 'close' ? 0 : seconds > 0 ? rxMoved / seconds : previous.rxRate,
      movedInBatch: moved ? this.batch : previous.movedInBatch,
    };
    this.views.set(event.id, view);
    if (view.processKey !== previous.processKey || event.remote.geo?.country !== old.remote.geo?.country) {
      this.choices.remove(previous);
      this.choices.add(view);
    }
  }

  private expireClosed(now: number): boolean {
    let removed = false;
    for (const [id, view] of this.views) {
      if (view.closedAt !== null && now - view.closedAt > CLOSED_RETENTION_MS) {
        this.views.delete(id);
        this.choices.remove(view);
        removed = true;
      }
    }
    return removed;
  }

  private addIcons(icons: Record<string, unknown> | undefined): void {
    const accepted = acceptedIcons(icons);
    if (accepted.length > 0) this.appIcons = new Map([...this.appIcons, ...accepted]);
  }

  private freeze(): StoreState {
    return {
      hello: this.hello,
      stats: this.stats,
      status: this.status,
      // Shared, not copied (20,000 entries, 4 times a second): readers key their memos on `batch`.
      connections: this.views,
      batch: this.batch,
      choices: this.choices.choices(),
      malformedEvents: this.malformedEvents,
      appIcons: this.appIcons,
      fleet: this.fleet,
    };
  }

  private commit(): void {
    this.snapshotState = this.freeze();
    for (const listener of this.listeners) listener();
  }
}
