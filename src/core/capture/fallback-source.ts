// Tries the privileged source first and falls back to another (the /proc poller) when it cannot
// start: sudo refused, polkit dismissed, addon missing. The reason goes first in `limitations`, so
// the hello says what is missing and why.

import type { CaptureHello } from '../../shared/capture.js';
import type { CaptureSink, CaptureSource } from './source.js';

export class FallbackSource implements CaptureSource {
  private active: CaptureSource;

  constructor(
    private readonly primary: CaptureSource,
    private readonly fallback: CaptureSource,
    private readonly onFallback?: (reason: string) => void,
  ) {
    this.active = primary;
  }

  get kind(): 'ebpf' | 'proc' {
    return this.active.kind;
  }

  async start(sink: CaptureSink): Promise<CaptureHello> {
    try {
      this.active = this.primary;
      return await this.primary.start(sink);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await this.primary.stop();
      this.onFallback?.(reason);
      this.active = this.fallback;
      const hello = await this.fallback.start(sink);
      return { ...hello, limitations: [`eBPF capture unavailable: ${reason}`, ...hello.limitations] };
    }
  }

  pause(): Promise<void> {
    return this.active.pause();
  }

  resume(): Promise<void> {
    return this.active.resume();
  }

  async stop(): Promise<void> {
    await this.active.stop();
  }
}
