// The eBPF capture source: runs the root helper (command injectable: direct, sudo, pkexec + launcher)
// and turns its NDJSON into sink calls. The helper dying or being refused is never a hang: before
// hello it rejects start(); after hello it is reported through sink.failed().

import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { CaptureHello, CaptureStats } from '../../shared/capture.js';
import type { HelperCommand, HelperMessage } from '../../shared/helper-protocol.js';
import { decodeHelperLine } from './helper-messages.js';
import { LineReader } from '../../shared/line-reader.js';
import type { CaptureSink, CaptureSource } from './source.js';

/** A flows batch of a full 65,536-entry table is ~15 MB of JSON; anything past this is broken. */
const MAX_HELPER_LINE = 64 * 1024 * 1024;
const STDERR_TAIL = 2048;

export type SpawnFunction = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

export interface HelperSourceOptions {
  /** argv of the helper (see helperCommand()); the desktop passes pkexec + its launcher. */
  command: string[];
  spawn?: SpawnFunction;
  /** How long to wait for hello (an elevation prompt counts): default 120 s. */
  helloTimeoutMs?: number;
  /** Non-fatal helper errors and protocol problems, for the UI or stderr. */
  onWarning?: (message: string) => void;
}

/** Start-up state: until hello, the helper's exit or fatal error rejects start(). */
interface Handshake {
  hello: CaptureHello | null;
  fatalErrors: string[];
  timer: NodeJS.Timeout;
  resolve(hello: CaptureHello): void;
  reject(error: Error): void;
}

/** The helper exited or was refused before saying hello; exitCode tells pkexec's 126/127 apart. */
export class HelperStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'HelperStartError';
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  const how = signal !== null ? `was killed by ${signal}` : code === 126 ? 'was not authorised (126: request dismissed)' : code === 127 ? 'could not be run or was not authorised (127)' : `exited with code ${code}`;
  const detail = stderr.trim();
  return `the capture helper ${how}${detail === '' ? '' : `: ${detail.split('\n').slice(-3).join(' / ')}`}`;
}

export class HelperSource implements CaptureSource {
  readonly kind = 'ebpf' as const;
  private child: ChildProcess | null = null;
  private sink: CaptureSink | null = null;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();
  private readonly acks = new Map<string, Array<() => void>>();
  private stderrTail = '';
  /** Malformed, unknown-type and oversized lines from the helper (added to stats.parseErrors). */
  protocolErrors = 0;

  constructor(private readonly options: HelperSourceOptions) {}

  start(sink: CaptureSink): Promise<CaptureHello> {
    const [program, ...args] = this.options.command;
    if (program === undefined) return Promise.reject(new Error('no helper command'));
    this.sink = sink;
    this.stopping = false;
    const child = (this.options.spawn ?? nodeSpawn)(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.stdin?.on('error', () => undefined); // EPIPE after the helper died: reported via 'close'
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });

    return new Promise<CaptureHello>((resolve, reject) => {
      const handshake: Handshake = {
        hello: null,
        fatalErrors: [],
        resolve,
        reject,
        timer: setTimeout(() => {
          reject(new HelperStartError(`the capture helper said nothing for ${this.helloTimeout() / 1000} s`, null));
          void this.stop();
        }, this.helloTimeout()),
      };
      const reader = new LineReader(MAX_HELPER_LINE, {
        line: (text) => this.onLine(text, handshake),
        tooLong: (bytes) => this.protocolError(`helper line of ${bytes} bytes discarded`),
      });
      child.stdout?.on('data', (chunk: Buffer) => reader.push(chunk));
      child.once('error', (error) => {
        clearTimeout(handshake.timer);
        reject(new HelperStartError(`cannot start the capture helper (${program}): ${error.message}`, null));
      });
      child.once('close', (code, signal) => this.onExit(code, signal, handshake));
    });
  }

  private onLine(text: string, handshake: Handshake): void {
    const decoded = decodeHelperLine(text);
    if (decoded.kind === 'unknown') return this.protocolError(`unknown helper message '${decoded.type}'`);
    if (decoded.kind === 'malformed') return this.protocolError(`malformed helper line: ${decoded.reason}`);
    const message = decoded.message;
    if (message.t === 'hello' && handshake.hello === null) {
      handshake.hello = { capture: 'ebpf', probes: message.probes, limitations: message.limitations, kernel: message.kernel };
      clearTimeout(handshake.timer);
      handshake.resolve(handshake.hello);
    } else if (message.t === 'error' && message.fatal) {
      handshake.fatalErrors.push(message.message);
    }
    if (handshake.hello !== null) this.dispatch(message);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, handshake: Handshake): void {
    clearTimeout(handshake.timer);
    this.child = null;
    const why = handshake.fatalErrors.length > 0 ? `the capture helper failed: ${handshake.fatalErrors.join('; ')}` : describeExit(code, signal, this.stderrTail);
    if (handshake.hello === null) handshake.reject(new HelperStartError(why, code));
    else if (!this.stopping) this.sink?.failed(new Error(why));
    for (const waiters of this.acks.values()) for (const wake of waiters) wake();
    this.acks.clear();
  }

  private protocolError(message: string): void {
    this.protocolErrors++;
    this.warn(message);
  }

  pause(): Promise<void> {
    return this.command({ cmd: 'pause' }, 'paused');
  }

  resume(): Promise<void> {
    return this.command({ cmd: 'resume' }, 'resumed');
  }

  /** Asks the helper to detach and exit; closes its stdin (which alone makes it exit); kills it late. */
  async stop(): Promise<void> {
    const child = this.child;
    this.stopping = true;
    this.sink = null;
    if (child === null) return;
    this.send({ cmd: 'shutdown' });
    child.stdin?.end();
    const exited = this.exited;
    if (await settlesWithin(exited, 2000)) return;
    child.kill('SIGTERM');
    if (await settlesWithin(exited, 1000)) return;
    child.kill('SIGKILL');
    await settlesWithin(exited, 1000);
  }

  private helloTimeout(): number {
    return this.options.helloTimeoutMs ?? 120_000;
  }

  private warn(message: string): void {
    this.options.onWarning?.(message);
  }

  private send(command: HelperCommand): void {
    const stdin = this.child?.stdin;
    if (stdin && stdin.writable) stdin.write(`${JSON.stringify(command)}\n`);
  }

  private command(command: HelperCommand, ack: 'paused' | 'resumed'): Promise<void> {
    if (this.child === null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 2000);
      const waiters = this.acks.get(ack) ?? [];
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.acks.set(ack, waiters);
      this.send(command);
    });
  }

  private dispatch(message: HelperMessage): void {
    const sink = this.sink;
    if (sink === null) return;
    switch (message.t) {
      case 'flows':
        return sink.flows(message.flows, message.ts);
      case 'flow-end':
        return sink.flowEnds(message.ends);
      case 'owners':
        return sink.owners(message.owners);
      case 'dns':
        return sink.dns(message.messages);
      case 'stats': {
        const { t: _t, ...stats } = message;
        return sink.stats(this.withProtocolErrors(stats));
      }
      case 'paused':
      case 'resumed': {
        const waiters = this.acks.get(message.t) ?? [];
        this.acks.delete(message.t);
        for (const wake of waiters) wake();
        return;
      }
      case 'error':
        return this.warn(`capture helper: ${message.message}`);
      case 'hello':
      case 'pong':
      case 'bye':
        return;
    }
  }

  private withProtocolErrors(stats: CaptureStats): CaptureStats {
    return { ...stats, parseErrors: stats.parseErrors + this.protocolErrors };
  }
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const result = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return result;
}
