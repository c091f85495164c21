// A capture session without an engine: records what the supervisor and backend do to it.

import type { Delta, AppStatus, Snapshot } from '../../../src/shared/api.js';
import type { Engine, Publisher } from '../../../src/core/engine-types.js';
import type { CaptureSession } from '../../../src/core/app/capture-session.js';
import { snapshot } from './fake-backend.js';

export interface FakeSession extends CaptureSession {
  log: string[];
  stopped: boolean;
  status: Partial<AppStatus>;
  emit(delta: Delta): void;
}

export function fakeSession(mode: 'ebpf' | 'proc'): FakeSession {
  const listeners = new Set<(delta: Delta) => void>();
  const log: string[] = [];
  const snap: Snapshot = snapshot();
  snap.hello = { ...snap.hello, capture: mode };
  // Not annotated at the literal: the merged Engine interface has more members (hello, stats,
  // onCleared) than this branch's, and the fake provides both.
  const engineImpl = {
    hello: () => snap.hello,
    stats: () => snap.stats,
    onCleared: () => () => undefined,
    start: async () => snap.hello,
    stop: async () => void log.push('engine.stop'),
    pause: async () => void log.push('engine.pause'),
    resume: async () => void log.push('engine.resume'),
    clear: () => void log.push('engine.clear'),
    onMessage: () => () => undefined,
    connections: () => snap.connections,
  };
  const engine: Engine = engineImpl;
  const session: FakeSession = {
    mode,
    engine,
    log,
    stopped: false,
    status: {},
    publisher: {} as Publisher,
    emit: (delta) => {
      for (const listener of listeners) listener(delta);
    },
    async stop() {
      session.stopped = true;
      log.push('session.stop');
    },
  };
  const publisher: Publisher = {
    snapshot: () => ({ ...snap, status: { paused: false, capture: mode, banner: null, ...session.status } }),
    onDelta: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setStatus: (status) => void Object.assign(session.status, status),
    dispose: () => void log.push('publisher.dispose'),
  };
  (session as { publisher: Publisher }).publisher = publisher;
  return session;
}
