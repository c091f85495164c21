// The root helper's whole life: open the probe, say hello, relay it, obey allow-listed commands,
// and detach everything when told to stop, when stdin closes (the engine died) or when stdout
// breaks. Dependencies are injected so tests run it with a fake probe and plain streams.

import type { Readable, Writable } from 'node:stream';
import { PROBE_CAPABILITIES, type ProbeCapability } from '../shared/contract.js';
import {
  HELPER_PROTOCOL_VERSION,
  MAX_COMMAND_LINE,
  type HelperCommand,
  type HelperErrorCode,
} from '../shared/helper-protocol.js';
import type { Probe, ProbeOptions } from '../../native/api.js';
import { parseCommand } from './commands.js';
import { LineReader } from '../common/line-reader.js';
import { MessageWriter } from './output.js';
import type { ProcIdentity } from './proc-identity.js';
import { ProbeRelay, type RelayTiming } from './probe-relay.js';

export interface HelperDeps extends RelayTiming {
  openProbe(options: ProbeOptions): Promise<Probe>;
  input: Readable;
  output: Writable;
  identity: ProcIdentity;
  kernel: string | null;
  pid: number;
}

export interface HelperRun {
  /** Resolves with the reason once everything is detached (and `bye` sent when stdout works). */
  done: Promise<string>;
  stop(reason: string): void;
}

/** Maps a NativeError code (native/errors.ts) to the protocol's error code. */
export function errorCodeOf(error: unknown): HelperErrorCode {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === 'EPERM' || code === 'EACCES') return 'no-privilege';
  if (code === 'ENOBTF') return 'no-btf';
  if (code === 'ENODEV') return 'interface-gone';
  if (code === 'EVARIANT' || code === 'EINVAL' || code === 'ENOENT') return 'attach-failed';
  return 'internal';
}

/** What a person loses when a capability has no winner, in their words. */
const MISSING: Record<ProbeCapability, string> = {
  tc: 'no bytes or packets per connection',
  connect: 'outgoing TCP connections have no owner',
  accept: 'accepted TCP connections have no owner',
  udp: 'UDP traffic has no owner',
  close: 'closed connections are noticed only when they go idle',
  exec: 'short-lived processes may go unnamed',
  dns: 'no host names (DNS answers are not read)',
  startup: 'connections opened before the start have no owner until they are used',
  icmp: 'ping (ICMP echo) has no owner',
};

function limitationsOf(probe: Probe): string[] {
  return PROBE_CAPABILITIES.filter((cap) => probe.probes[cap] === null).map((cap) => {
    const tried = probe.probeLog[cap] ?? [];
    const why = tried.length > 0 ? ` — the kernel refused ${tried.map(([variant, reason]) => `${variant} (${reason})`).join(', ')}` : '';
    return `${MISSING[cap]}${why}`;
  });
}

class Helper {
  private stopReason: string | null = null;
  private wake: () => void = () => undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.wake = resolve));
  private readonly writer: MessageWriter;
  private readonly reader: LineReader;
  private relay: ProbeRelay | null = null;
  private readonly onData = (chunk: Buffer | string): void => this.reader.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  private readonly onEnd = (): void => this.stop('stdin closed');

  constructor(private readonly deps: HelperDeps) {
    this.writer = new MessageWriter(deps.output, () => this.stop('stdout closed'));
    this.reader = new LineReader(MAX_COMMAND_LINE, {
      line: (text) => this.onLine(text),
      tooLong: (bytes) => this.sendError('line-too-long', `command line of ${bytes} bytes discarded (limit ${MAX_COMMAND_LINE})`),
    });
    for (const event of ['end', 'close', 'error']) deps.input.on(event, this.onEnd);
    deps.input.on('data', this.onData);
  }

  stop(reason: string): void {
    if (this.stopReason !== null) return;
    this.stopReason = reason;
    this.wake();
  }

  async run(): Promise<string> {
    await Promise.all([this.attach(), this.stopped]);
    this.deps.input.off('data', this.onData);
    for (const event of ['end', 'close', 'error']) this.deps.input.off(event, this.onEnd);
    this.relay?.close();
    this.relay = null;
    const reason = this.stopReason ?? 'stopped';
    this.writer.send({ t: 'bye', reason });
    return reason;
  }

  private async attach(): Promise<void> {
    let probe: Probe;
    try {
      probe = await this.deps.openProbe({});
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.sendError(errorCodeOf(error), `cannot open the probe: ${message}`, true);
      this.stop('probe failed');
      return;
    }
    if (this.stopReason !== null) return probe.close();
    const { kernel, pid } = this.deps;
    const limitations = limitationsOf(probe);
    this.writer.send({ t: 'hello', protocol: HELPER_PROTOCOL_VERSION, pid, capture: 'ebpf', probes: probe.probes, limitations, kernel });
    this.relay = new ProbeRelay(probe, this.writer, this.deps.identity, this.deps);
    this.relay.start();
  }

  private sendError(code: HelperErrorCode, message: string, fatal = false): void {
    this.writer.send({ t: 'error', code, message, fatal });
  }

  private onLine(text: string): void {
    const parsed = parseCommand(text);
    if (!parsed.ok) return this.sendError('bad-command', parsed.reason);
    this.execute(parsed.command);
  }

  private execute(command: HelperCommand): void {
    switch (command.cmd) {
      case 'pause':
        this.relay?.pause();
        return this.writer.send({ t: 'paused' });
      case 'resume':
        this.writer.send({ t: 'resumed' });
        return this.relay?.resume();
      case 'shutdown':
        return this.stop('shutdown command');
      case 'ping':
        return this.writer.send({ t: 'pong', id: command.id });
      case 'stats':
        return this.relay?.sendStats();
    }
  }
}

export function runHelper(deps: HelperDeps): HelperRun {
  const helper = new Helper(deps);
  return { done: helper.run(), stop: (reason) => helper.stop(reason) };
}
