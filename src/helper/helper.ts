// The root helper's whole life: open the probe, say hello, forward batches, obey allow-listed
// commands, and detach everything when told to stop, when stdin closes (the engine died) or when
// stdout breaks. Dependencies are injected so tests run it with a fake probe and plain streams.

import type { Readable, Writable } from 'node:stream';
import type { OwnerRecord } from '../shared/capture.js';
import { PROBE_CAPABILITIES } from '../shared/contract.js';
import {
  HELPER_PROTOCOL_VERSION,
  MAX_COMMAND_LINE,
  type HelperCommand,
  type HelperErrorCode,
} from '../shared/helper-protocol.js';
import type { KernelOwner, Probe, ProbeOptions, ProcessEvent } from '../../native/api.js';
import { parseCommand } from './commands.js';
import { FlowChanges } from './flow-changes.js';
import { LineReader } from './line-reader.js';
import { MessageWriter } from './output.js';
import type { ProcIdentity } from './proc-identity.js';

export interface HelperDeps {
  openProbe(options: ProbeOptions): Promise<Probe>;
  input: Readable;
  output: Writable;
  identity: ProcIdentity;
  kernel: string | null;
  pid: number;
  flushIntervalMs?: number;
  statsIntervalMs?: number;
  /** Delay between a flow-open hint and the early table read (coalesces bursts of opens). */
  earlyFlushMs?: number;
  /** Least time between two table reads: each reads the whole table (~25 ms at 65k rows). */
  minFlushGapMs?: number;
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

function limitationsOf(probe: Probe): string[] {
  return PROBE_CAPABILITIES.filter((cap) => probe.probes[cap] === null).map(
    (cap) => `no ${cap} hook could attach on this kernel: ${cap} information is missing`,
  );
}

export function runHelper(deps: HelperDeps): HelperRun {
  let stopReason: string | null = null;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const writer = new MessageWriter(deps.output, () => stop('stdout closed'));
  const stop = (reason: string): void => {
    if (stopReason !== null) return;
    stopReason = reason;
    wake();
  };

  const reader = new LineReader(MAX_COMMAND_LINE, {
    line: (text) => onLine(text),
    tooLong: (bytes) =>
      sendError('line-too-long', `command line of ${bytes} bytes discarded (limit ${MAX_COMMAND_LINE})`),
  });
  const onData = (chunk: Buffer | string): void => reader.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  const onEnd = (): void => stop('stdin closed');
  deps.input.on('data', onData);
  deps.input.on('end', onEnd);
  deps.input.on('close', onEnd);
  deps.input.on('error', onEnd);

  let probe: Probe | null = null;
  let paused = false;
  const changes = new FlowChanges();
  const timers: NodeJS.Timeout[] = [];
  let earlyFlush: NodeJS.Timeout | null = null;
  let lastFlushAt = 0;

  function sendError(code: HelperErrorCode, message: string, fatal = false): void {
    writer.send({ t: 'error', code, message, fatal });
  }

  function onLine(text: string): void {
    const parsed = parseCommand(text);
    if (!parsed.ok) return sendError('bad-command', parsed.reason);
    execute(parsed.command);
  }

  function execute(command: HelperCommand): void {
    switch (command.cmd) {
      case 'pause':
        paused = true;
        return writer.send({ t: 'paused' });
      case 'resume':
        paused = false;
        changes.reset();
        writer.send({ t: 'resumed' });
        return flushFlows();
      case 'shutdown':
        return stop('shutdown command');
      case 'ping':
        return writer.send({ t: 'pong', id: command.id });
      case 'stats':
        return sendStats();
    }
  }

  function guarded(what: string, action: () => void): void {
    try {
      action();
    } catch (error) {
      sendError('internal', `${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  function flushFlows(): void {
    if (probe === null || paused) return;
    const current = probe;
    lastFlushAt = Date.now();
    guarded('reading the flow table', () => {
      const rows = changes.changed(current.readFlows());
      if (rows.length > 0) writer.send({ t: 'flows', ts: Date.now(), flows: rows });
    });
  }

  function sendStats(): void {
    if (probe === null) return;
    const current = probe;
    guarded('reading stats', () => writer.send({ t: 'stats', ...current.stats() }));
  }

  function withIdentity(owners: KernelOwner[]): OwnerRecord[] {
    return owners.map((owner) => ({ ...owner, ...deps.identity.lookup(owner.pid, owner.startTime) }));
  }

  function onProcesses(events: ProcessEvent[]): void {
    for (const event of events) if (event.kind === 'exec') deps.identity.refresh(event.pid, event.startTime);
  }

  function scheduleEarlyFlush(): void {
    if (earlyFlush !== null) return;
    const gap = lastFlushAt + (deps.minFlushGapMs ?? 100) - Date.now();
    earlyFlush = setTimeout(() => {
      earlyFlush = null;
      flushFlows();
    }, Math.max(deps.earlyFlushMs ?? 10, gap));
  }

  async function attach(): Promise<void> {
    let opened: Probe;
    try {
      opened = await deps.openProbe({});
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      sendError(errorCodeOf(error), `cannot open the probe: ${message}`, true);
      stop('probe failed');
      return;
    }
    if (stopReason !== null) {
      opened.close();
      return;
    }
    probe = opened;
    writer.send({
      t: 'hello',
      protocol: HELPER_PROTOCOL_VERSION,
      pid: deps.pid,
      capture: 'ebpf',
      probes: opened.probes,
      limitations: limitationsOf(opened),
      kernel: deps.kernel,
    });
    opened.listen({
      flowOpens: () => scheduleEarlyFlush(),
      flowEnds: (ends) => {
        if (!paused) writer.send({ t: 'flow-end', ends });
      },
      owners: (owners) => writer.send({ t: 'owners', owners: withIdentity(owners) }),
      dns: (messages) => {
        if (!paused) writer.send({ t: 'dns', messages });
      },
      processes: onProcesses,
      interfaces: (change) => {
        if (change.event === 'failed') sendError('attach-failed', `${change.name}: ${change.error ?? 'attach failed'}`);
        sendStats();
      },
    });
    guarded('reading existing sockets', () => {
      const existing = opened.existingOwners();
      if (existing.length > 0) writer.send({ t: 'owners', owners: withIdentity(existing) });
    });
    flushFlows();
    sendStats();
    timers.push(setInterval(flushFlows, deps.flushIntervalMs ?? 1000));
    timers.push(setInterval(sendStats, deps.statsIntervalMs ?? 5000));
  }

  async function lifecycle(): Promise<string> {
    await Promise.all([attach(), stopped]);
    for (const timer of timers) clearInterval(timer);
    if (earlyFlush !== null) clearTimeout(earlyFlush);
    deps.input.off('data', onData);
    deps.input.off('end', onEnd);
    deps.input.off('close', onEnd);
    deps.input.off('error', onEnd);
    const reason = stopReason ?? 'stopped';
    if (probe !== null) {
      const current = probe;
      probe = null;
      guarded('detaching', () => current.close());
    }
    writer.send({ t: 'bye', reason });
    return reason;
  }

  return { done: lifecycle(), stop };
}
