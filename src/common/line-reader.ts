// Splits a byte stream into lines without ever holding more than `maxLine` bytes of one line:
// neither end of the helper pipe buffers whatever the other end sends. Shared by the helper
// (commands on stdin) and the engine (messages on the helper's stdout).

export interface LineEvents {
  line(text: string): void;
  /** A line longer than `maxLine` bytes was discarded (reported once per line). */
  tooLong(bytes: number): void;
}

// ignoreBOM: a line starting with U+FEFF stays as sent (by default each decode() drops it silently).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

export class LineReader {
  private parts: Uint8Array[] = [];
  private size = 0;
  private discarding = false;
  private discarded = 0;

  constructor(
    private readonly maxLine: number,
    private readonly events: LineEvents,
  ) {}

  /** Accepts Buffers too (a Buffer is a Uint8Array). */
  push(chunk: Uint8Array): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      this.take(chunk.subarray(start, end));
      if (newline === -1) return;
      this.finishLine();
      start = newline + 1;
    }
  }

  private take(piece: Uint8Array): void {
    if (this.discarding) {
      this.discarded += piece.length;
      return;
    }
    if (this.size + piece.length > this.maxLine) {
      this.discarding = true;
      this.discarded = this.size + piece.length;
      this.parts = [];
      this.size = 0;
      return;
    }
    // Copied: the caller may reuse its chunk buffer.
    if (piece.length > 0) this.parts.push(piece.slice());
    this.size += piece.length;
  }

  private joined(): Uint8Array {
    if (this.parts.length === 1) return this.parts[0] as Uint8Array;
    const all = new Uint8Array(this.size);
    let at = 0;
    for (const part of this.parts) {
      all.set(part, at);
      at += part.length;
    }
    return all;
  }

  private finishLine(): void {
    if (this.discarding) {
      this.events.tooLong(this.discarded);
    } else {
      const text = decoder.decode(this.joined()).replace(/\r$/, '');
      if (text.trim() !== '') this.events.line(text);
    }
    this.parts = [];
    this.size = 0;
    this.discarding = false;
    this.discarded = 0;
  }
}
