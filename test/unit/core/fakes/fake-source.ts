// A CaptureSource driven by the test: it hands out its sink and records the calls made on it.
import type { CaptureSink, CaptureSource } from '../../../../src/core/capture/source.js';
import type { CaptureHello } from '../../../../src/shared/capture.js';

export class FakeSource implements CaptureSource {
  readonly kind = 'ebpf' as const;
  sink: CaptureSink | null = null;
  calls: string[] = [];

  constructor(private readonly hello: CaptureHello = {
    capture: 'ebpf',
    probes: { tc: 'tcx', connect: 'tp_btf:inet_sock_set_state', accept: 'tp_btf:inet_sock_set_state', udp: 'cgroup:sendmsg', close: null, exec: null, dns: 'tc', startup: 'iter:task_file', icmp: null },
    limitations: [],
    kernel: '6.18.44',
  }) {}

  async start(sink: CaptureSink): Promise<CaptureHello> {
    this.calls.push('start');
    this.sink = sink;
    return this.hello;
  }
  async pause(): Promise<void> {
    this.calls.push('pause');
  }
  async resume(): Promise<void> {
    this.calls.push('resume');
  }
  async stop(): Promise<void> {
    this.calls.push('stop');
  }
  /** The sink, which exists once start() ran. */
  get feed(): CaptureSink {
    if (!this.sink) throw new Error('source not started');
    return this.sink;
  }
}
