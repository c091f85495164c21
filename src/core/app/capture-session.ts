// One running capture: an engine over one capture source, with its publisher. The supervisor
// replaces the whole session when the capture mode changes (helper ↔ /proc).

import { MonitoredSource } from '../capture/monitored-source.js';
import type { CaptureSource } from '../capture/source.js';
import type { Engine, Publisher } from '../engine-types.js';

export interface CaptureSession {
  readonly mode: 'ebpf' | 'proc';
  readonly engine: Engine;
  readonly publisher: Publisher;
  stop(): Promise<void>;
}

export interface SessionParts {
  createEngine(source: CaptureSource): Engine;
  createPublisher(engine: Engine): Publisher;
}

/** Starts engine and publisher over `source`; on failure releases both and rethrows. */
export async function startSession(
  parts: SessionParts,
  source: CaptureSource,
  onFailed: (error: Error) => void,
): Promise<CaptureSession> {
  const engine = parts.createEngine(new MonitoredSource(source, onFailed));
  // The publisher subscribes before start so that it sees the hello.
  const publisher = parts.createPublisher(engine);
  const stop = async (): Promise<void> => {
    publisher.dispose();
    await engine.stop();
  };
  try {
    await engine.start();
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { mode: source.kind, engine, publisher, stop };
}
