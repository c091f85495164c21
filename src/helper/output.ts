// NDJSON on stdout. A write error (EPIPE: the engine is gone) must end the helper, never kill it
// with an unhandled 'error' event or leave it running attached. Node writes to pipes synchronously
// on Linux, so a slow engine blocks the helper (the kernel then counts ring-buffer drops) instead
// of growing an unbounded queue in a root process.

import type { Writable } from 'node:stream';
import type { HelperMessage } from '../shared/helper-protocol.js';

export class MessageWriter {
  private broken = false;

  constructor(
    private readonly output: Writable,
    onBroken: (error: Error) => void,
  ) {
    output.on('error', (error: Error) => {
      if (this.broken) return;
      this.broken = true;
      onBroken(error);
    });
  }

  get isBroken(): boolean {
    return this.broken;
  }

  send(message: HelperMessage): void {
    if (this.broken) return;
    this.output.write(`${JSON.stringify(message)}\n`);
  }
}
