// `snitchmap watch`: the contract's messages on stdout (NDJSON or human lines) until --duration,
// --count, a signal, or a closed stdout (`| head`); exit 1 if the capture dies (helper gone). Stopping the engine stops the capture source,
// which makes the helper detach everything and exit.

import type { Writable } from 'node:stream';
import { MonitoredSource } from '../core/capture/monitored-source.js';
import type { CaptureSource } from '../core/capture/source.js';
import type { Engine, EngineOptions } from '../core/engine-types.js';
import type { HelloMessage, WatchMessage } from '../shared/contract.js';
import type { WatchOptions } from './args.js';
import { engineOptions } from './engine-options.js';
import { startExporters, type Exporters } from './exporters.js';
import type { OpenCliHistory } from './history-option.js';
import { jsonLine } from './json-line.js';
import { formatEvent, formatHello, formatStats } from './text-format.js';

export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface WatchDeps {
  createEngine(options: EngineOptions): Engine;
  createSource(onWarning: (message: string) => void): CaptureSource;
  stdout: Writable;
  stderr: Writable;
  signals: SignalSource;
  /** Absent: no history (tests of the printing side). */
  openHistory?: OpenCliHistory;
}

/** Resolves with the exit code. */
export async function runWatch(options: WatchOptions, deps: WatchDeps): Promise<number> {
  const warn = (message: string): void => void deps.stderr.write(`snitchmap: ${message}\n`);
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const source = new MonitoredSource(deps.createSource(warn), (error) => {
    warn(`exiting: capture stopped (${error.message})`);
    finish(1);
  });
  let engine: Engine;
  try {
    engine = deps.createEngine(engineOptions(options, source, warn));
  } catch (error) {
    // A --locations or --geoip file that cannot be used: say which, exit non-zero, start nothing.
    warn((error as Error).message);
    return 1;
  }
  let exporters: Exporters;
  try {
    exporters = await startExporters(engine, options, warn);
  } catch (error) {
    warn(`cannot export: ${(error as Error).message}`);
    return 1;
  }
  // Opened after the engine (a bad --geoip exits first), before the capture: nothing goes unrecorded.
  const history = deps.openHistory?.(options, warn);
  history?.attach(engine);
  let helloShown = false;
  const held: WatchMessage[] = [];
  let events = 0;

  let lastLosses = '0/0/0';
  const write = (message: WatchMessage): void => {
    if (options.json) {
      deps.stdout.write(jsonLine(message));
    } else if (message.type === 'hello') {
      deps.stderr.write(`${formatHello(message)}\n`);
    } else if (message.type === 'connection') {
      deps.stdout.write(`${formatEvent(message)}\n`);
    } else {
      // People watching a terminal get a stats line only when something new was lost.
      const losses = `${message.eventsLost}/${message.flowsEvicted}/${message.unattributed}`;
      if (losses !== lastLosses) deps.stdout.write(`${formatStats(message)}\n`);
      lastLosses = losses;
    }
  };
  const showHello = (hello: HelloMessage): void => {
    helloShown = true;
    write(hello);
    for (const message of held.splice(0)) show(message);
  };
  const show = (message: WatchMessage): void => {
    if (events >= (options.count ?? Infinity)) return;
    write(message);
    if (message.type === 'connection' && ++events >= (options.count ?? Infinity)) finish(0);
  };
  const unsubscribe = engine.onMessage((message) => {
    if (message.type === 'hello') {
      if (!helloShown) showHello(message);
      else write(message);
    } else if (helloShown) show(message);
    else held.push(message);
  });

  const onSignal = (): void => finish(0);
  const onStdoutError = (): void => finish(0);
  deps.signals.on('SIGINT', onSignal);
  deps.signals.on('SIGTERM', onSignal);
  deps.stdout.on('error', onStdoutError);
  let timer: NodeJS.Timeout | undefined;
  // Not awaited: a signal during a slow start (sudo, a stuck helper) must still end the run.
  void engine.start().then(
    (hello) => {
      if (!helloShown) showHello(hello);
      if (options.duration !== undefined) timer = setTimeout(() => finish(0), options.duration * 1000);
    },
    (error: unknown) => {
      warn(`cannot start capture: ${error instanceof Error ? error.message : String(error)}`);
      finish(1);
    },
  );
  const code = await finished;
  clearTimeout(timer);
  unsubscribe();
  deps.signals.off('SIGINT', onSignal);
  deps.signals.off('SIGTERM', onSignal);
  await engine.stop();
  await exporters.stop();
  history?.close();
  deps.stdout.off('error', onStdoutError);
  return code;
}
