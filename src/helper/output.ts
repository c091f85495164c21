// NDJSON on stdout. A write error (EPIPE: the engine is gone) must end the helper, never kill it
// with an unhandled 'error' event or leave it running attached.

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
