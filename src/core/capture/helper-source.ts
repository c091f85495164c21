// The eBPF capture source: runs the root helper (command injectable: direct, sudo, pkexec + launcher)
// and turns its NDJSON into sink calls. The helper dying or being refused is never a hang: before
// hello it rejects start() with a HelperFailure; after hello it is reported through sink.failed()
// with one. The helper can be spawned before the sink exists (spawn()): a root CLI starts it, then
// gives up root.

import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { CaptureHello, CaptureStats } from '../../shared/capture.js';
import type { HelperCommand, HelperErrorCode, HelperMessage } from '../../shared/helper-protocol.js';
import { decodeHelperLine } from './helper-messages.js';
import { LineReader } from '../../common/line-reader.js';
import type { CaptureSink, CaptureSource } from './source.js';

/** A flows batch of a full 65,536-entry table is ~15 MB of JSON; anything past this is broken. */
const MAX_HELPER_LINE = 64 * 1024 * 1024;
const STDERR_TAIL = 2048;

export type SpawnFunction = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

export interface HelperSourceOptions {
  /** argv of the helper (see helperCommand()); the desktop passes pkexec + its launcher. */
  command: string[];
  spawn?: SpawnFunction;
  /**
   * The helper's environment. A helper started directly as root gets a scrubbed one (see
   * helperCommand's ROOT_HELPER_ENV): NODE_OPTIONS and friends would change what a root node loads.
   * Default: this process's environment (sudo and pkexec clear it themselves).
   */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for hello (an elevation prompt counts): default 120 s. */
  helloTimeoutMs?: number;
  /** Non-fatal helper errors and protocol problems, for the UI or stderr. */
  onWarning?: (message: string) => void;
}

/**
 * Why the helper did not run, as a code (docs/design.md "Error codes"): a helper `error` code when
 * it said why (no-privilege, no-btf, attach-failed, ...), else how the process ended. Front ends
 * derive their text from `code` (and pkexec's or sudo's `exitCode`), never from `message`.
 */
export type HelperFailureCode = HelperErrorCode | 'spawn-failed' | 'exited' | 'killed' | 'timeout';

/** Messages held between spawn() and start(sink): a pre-spawned helper's start-up burst. */
const MAX_EARLY_MESSAGES = 4096;

/** Start-up state: until hello, the helper's exit or fatal error rejects start(). */
interface Handshake {
  hello: CaptureHello | null;
  fatal: { code: HelperErrorCode; message: string } | null;
  timer: NodeJS.Timeout;
  promise: Promise<CaptureHello>;
  resolve(hello: CaptureHello): void;
  reject(error: Error): void;
}

/** The helper could not start (before hello) or stopped (after); `code` says why. */
export class HelperFailure extends Error {
  constructor(
    message: string,
    readonly code: HelperFailureCode,
    /** Exit status of the helper or of its elevator (pkexec 126/127, sudo 1), when it exited. */
    readonly exitCode: number | null = null,
    /** The tail of what the helper or its elevator wrote to stderr. */
    readonly stderr = '',
    /** Node's error code of a failed spawn (ENOENT: the program is not there). */
    readonly errno: string | null = null,
  ) {
    super(message);
    this.name = 'HelperFailure';
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
  const detail = stderr.trim();
  return `the capture helper ${how}${detail === '' ? '' : `: ${detail.split('\n').slice(-3).join(' / ')}`}`;
}

export class HelperSource implements CaptureSource {
  readonly kind = 'ebpf' as const;
  private child: ChildProcess | null = null;
  private sink: CaptureSink | null = null;
  private handshake: Handshake | null = null;
  /** Spawned by spawn(), not yet claimed by start(). */
  private pending: Handshake | null = null;
  private early: HelperMessage[] = [];
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();
  private readonly acks = new Map<string, Array<() => void>>();
  private stderrTail = '';
  /** Malformed, unknown-type and oversized lines from the helper (added to stats.parseErrors). */
  protocolErrors = 0;

  constructor(private readonly options: HelperSourceOptions) {}

  /**
   * Starts the helper process now and holds what it says until start(sink). A root-run CLI calls this
   * before it drops to the invoking user: afterwards it could not start a root helper any more.
   */
  spawn(): void {
    this.pending ??= this.launch();
  }

  /** True once the running helper said hello (it may have been spawned before start()). */
  get ready(): boolean {
    return this.child !== null && this.handshake?.hello != null;
  }

  start(sink: CaptureSink): Promise<CaptureHello> {
    const handshake = this.pending ?? this.launch();
    this.pending = null;
    this.sink = sink;
    // A pre-spawned helper may have said hello already: what it sent since goes to the sink first.
    for (const message of this.early.splice(0)) this.dispatch(message);
    return handshake.promise;
  }

  private launch(): Handshake {
    const [program, ...args] = this.options.command;
    let settle: Pick<Handshake, 'resolve' | 'reject'> = { resolve: () => undefined, reject: () => undefined };
    const promise = new Promise<CaptureHello>((resolve, reject) => (settle = { resolve, reject }));
    // Nobody may be awaiting yet (spawned early): a rejection is delivered by start(), never unhandled.
    promise.catch(() => undefined);
    const handshake: Handshake = {
      hello: null,
      fatal: null,
      promise,
      resolve: (hello) => settle.resolve(hello),
      reject: (error) => settle.reject(error),
      timer: setTimeout(() => {
        handshake.reject(new HelperFailure(`the capture helper said nothing for ${this.helloTimeout() / 1000} s`, 'timeout'));
        void this.stop();
      }, this.helloTimeout()),
    };
    this.handshake = handshake;
    this.stopping = false;
    this.early = [];
    if (program === undefined) {
      clearTimeout(handshake.timer);
      handshake.reject(new HelperFailure('no helper command', 'spawn-failed'));
      return handshake;
    }
    const child = (this.options.spawn ?? nodeSpawn)(program, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(this.options.env ? { env: this.options.env } : {}),
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.stdin?.on('error', () => undefined); // EPIPE after the helper died: reported via 'close'
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    const reader = new LineReader(MAX_HELPER_LINE, {
      line: (text) => this.onLine(text, handshake),
      tooLong: (bytes) => this.protocolError(`helper line of ${bytes} bytes discarded`),
    });
    child.stdout?.on('data', (chunk: Buffer) => reader.push(chunk));
    // Kept for the child's whole life: a kill() this process may no longer send (a root helper
    // after the CLI dropped privileges: EPERM) is reported as 'error', which must not be unhandled.
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (handshake.hello !== null || this.stopping) return this.warn(`capture helper: ${error.message}`);
      clearTimeout(handshake.timer);
      handshake.reject(new HelperFailure(`cannot start the capture helper (${program}): ${error.message}`, 'spawn-failed', null, '', error.code ?? null));
    });
    child.once('close', (code, signal) => this.onExit(code, signal, handshake));
    return handshake;
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
      handshake.fatal ??= { code: message.code, message: message.message };
    }
    if (handshake.hello === null) return;
    if (this.sink !== null) this.dispatch(message);
    else if (this.early.length < MAX_EARLY_MESSAGES) this.early.push(message);
    else this.protocolError(`helper message '${message.t}' dropped: nobody is reading yet`);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, handshake: Handshake): void {
    clearTimeout(handshake.timer);
    this.child = null;
    const fatal = handshake.fatal;
    const failure = fatal
      ? new HelperFailure(`the capture helper failed: ${fatal.message}`, fatal.code, code, this.stderrTail)
      : new HelperFailure(describeExit(code, signal, this.stderrTail), signal !== null ? 'killed' : 'exited', code, this.stderrTail);
    if (handshake.hello === null) handshake.reject(failure);
    else if (!this.stopping) this.sink?.failed(failure);
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
    this.early = [];
    this.pending = null;
    if (this.handshake !== null) clearTimeout(this.handshake.timer);
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
