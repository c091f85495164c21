// Lets the owner of a source (watch, serve) learn that the capture stopped on its own (helper died)
// while the engine gets the same sink.failed() call it always gets.

import type { CaptureHello } from '../../shared/capture.js';
import type { CaptureSink, CaptureSource } from './source.js';

export class MonitoredSource implements CaptureSource {
  constructor(
    private readonly inner: CaptureSource,
    private readonly onFailed: (error: Error) => void,
  ) {}

  get kind(): 'ebpf' | 'proc' {
    return this.inner.kind;
  }

  start(sink: CaptureSink): Promise<CaptureHello> {
    return this.inner.start({
      flows: (samples, ts) => sink.flows(samples, ts),
      flowEnds: (ends) => sink.flowEnds(ends),
      owners: (owners) => sink.owners(owners),
      dns: (messages) => sink.dns(messages),
      stats: (stats) => sink.stats(stats),
      failed: (error) => {
        sink.failed(error);
        this.onFailed(error);
      },
    });
  }

  pause(): Promise<void> {
    return this.inner.pause();
  }

  resume(): Promise<void> {
    return this.inner.resume();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}
