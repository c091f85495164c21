// Splits a byte stream into lines without ever holding more than `maxLine` bytes of one line:
// neither end of the helper pipe buffers whatever the other end sends. The
// helper has its own copy (src/helper/line-reader.ts): the layering rule keeps the two
// processes from sharing code outside src/shared.

export interface LineEvents {
  line(text: string): void;
  /** A line longer than `maxLine` bytes was discarded (reported once per line). */
  tooLong(bytes: number): void;
}

export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = false;
  private discarded = 0;

  constructor(
    private readonly maxLine: number,
    private readonly events: LineEvents,
  ) {}

  push(chunk: Buffer): void {
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

  private take(piece: Buffer): void {
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
    if (piece.length > 0) this.parts.push(Buffer.from(piece));
    this.size += piece.length;
  }

  private finishLine(): void {
    if (this.discarding) {
      this.events.tooLong(this.discarded);
    } else {
      const text = Buffer.concat(this.parts, this.size).toString('utf8').replace(/\r$/, '');
      if (text.trim() !== '') this.events.line(text);
    }
    this.parts = [];
    this.size = 0;
    this.discarding = false;
    this.discarded = 0;
  }
}
