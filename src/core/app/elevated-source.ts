// The one capture-fallback policy (docs/design.md "Elevation"): the root helper through the
// injected elevation strategy, else the unprivileged /proc poller, with the reason, from its code,
// first in the hello's `limitations`. `watch` uses it as its source; the supervisor (desktop,
// serve) starts every session with one and turns `failure` into the banner.

import type { CaptureHello } from '../../shared/capture.js';
import type { CaptureSink, CaptureSource } from '../capture/source.js';
import { failureReason, type CaptureFailure, type Elevation } from './elevation.js';

export class ElevatedSource implements CaptureSource {
  private active: CaptureSource | null = null;
  /** After start(): why the helper is not the source (null while it is). */
  failure: CaptureFailure | null = null;

  constructor(
    private readonly elevation: Elevation,
    private readonly procSource: () => CaptureSource,
    private readonly onWarning: (message: string) => void = () => undefined,
  ) {}

  /** 'ebpf' until a fallback happened: the engine's first hello says what is being tried. */
  get kind(): 'ebpf' | 'proc' {
    return this.active?.kind ?? (this.elevation.preflight() === null ? 'ebpf' : 'proc');
  }

  async start(sink: CaptureSink): Promise<CaptureHello> {
    let failure = this.elevation.preflight();
    if (failure === null) {
      const helper = this.elevation.helperSource(this.onWarning);
      this.active = helper;
      try {
        const hello = await helper.start(sink);
        this.failure = null;
        return hello;
      } catch (error) {
        await helper.stop();
        failure = this.elevation.classify(error);
      }
    }
    this.failure = failure;
    const proc = this.procSource();
    this.active = proc;
    const hello = await proc.start(sink);
    // A user who did not ask for elevation gets /proc as such; everyone else learns why not eBPF.
    if (failure.code === 'not-root') return hello;
    const reason = failureReason(failure, this.elevation.launcherPath);
    this.onWarning(`falling back to /proc capture: ${reason}`);
    return { ...hello, limitations: [`eBPF capture unavailable: ${reason}`, ...hello.limitations] };
  }

  pause(): Promise<void> {
    return this.active?.pause() ?? Promise.resolve();
  }

  resume(): Promise<void> {
    return this.active?.resume() ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.active?.stop();
  }
}
