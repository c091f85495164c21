// The one way tests wait: for a condition (polled) or an event (awaited), never for a fixed time.
// The timeout is a ceiling on a hang, not a measurement: a test that passes only when something is
// fast is a benchmark (bench/), and a sleep that "should be enough" is a flaky test.

import type { ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';

export interface WaitOptions {
  /** Give up after this long (ms): the wait failed, the error names `what`. */
  timeout?: number;
  /** What is awaited, for the error: "the helper to exit". */
  what: string;
  /** Poll period (ms) for predicates. */
  interval?: number;
}

const DEFAULT_TIMEOUT = 10_000;

/**
 * Resolves with the predicate's first truthy value (sync or async), checked now and then every
 * `interval` ms; rejects with `timed out waiting for <what>` (and the last error the predicate
 * threw, if any) after `timeout` ms.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitOptions): Promise<NonNullable<T>> {
  const { timeout = DEFAULT_TIMEOUT, what, interval = 10 } = options;
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Resolves with the arguments of the next `event`; rejects on `error` or after `timeout` ms. */
export function waitForEvent(emitter: EventEmitter, event: string, options: Omit<WaitOptions, 'interval'>): Promise<unknown[]> {
  const { timeout = DEFAULT_TIMEOUT, what } = options;
  return new Promise((resolve, reject) => {
    const onEvent = (...args: unknown[]): void => {
      cleanup();
      resolve(args);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new Error(`${what}: ${error.message}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeout} ms waiting for ${what}`));
    }, timeout);
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.off(event, onEvent);
      if (event !== 'error') emitter.off('error', onError);
    };
    emitter.on(event, onEvent);
    if (event !== 'error') emitter.on('error', onError);
  });
}

/** A child process's exit code (or signal name), awaited; resolves at once if it already exited. */
export function waitForExit(child: { exitCode: number | null; signalCode: NodeJS.Signals | null } & EventEmitter,
  options: Omit<WaitOptions, 'interval'>): Promise<number | NodeJS.Signals> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return waitForEvent(child, 'exit', options).then(([code, signal]) => (code ?? signal) as number | NodeJS.Signals);
}

/**
 * A child process's exit code (or signal name) once its output has been read to the end. 'exit' can
 * come first: when another child's SIGCHLD is handled, libuv reaps every exited child, also one
 * that wrote its last line and exited after the loop last polled its pipe (reproduced 20 of 20 with
 * a second child and a busy loop; flows-malformed lost its receiver's last line so on 6.1).
 */
export function waitForClose(child: ChildProcess, options: Omit<WaitOptions, 'interval'>): Promise<number | NodeJS.Signals> {
  const status = (): number | NodeJS.Signals | null => child.exitCode ?? child.signalCode;
  const drained = [child.stdout, child.stderr].every((stream) => stream === null || stream.readableEnded || stream.destroyed);
  const now = status();
  if (now !== null && drained) return Promise.resolve(now);
  return waitForEvent(child, 'close', options).then(([code, signal]) => (code ?? signal) as number | NodeJS.Signals);
}
