// Decodes a record of an MMDB data section (https://maxmind.github.io/MaxMind-DB/, "Output Data
// Section") read through a PagedFile. A file is input, not trusted: sizes are checked against the
// section's end and nesting (maps, arrays, pointers) is bounded, so a crafted file gives an error,
// never a hang or a stack overflow.
import type { PagedFile } from './paged-file.js';

const MAX_DEPTH = 32;
const POINTER_BASES = [0, 2048, 526_336, 0];

export class MmdbDataError extends Error {}

export class MmdbData {
  /** Where the value decoded last ends (absolute file offset). */
  private next = 0;

  /** `start`/`end`: absolute offsets of the data section in the file. */
  constructor(
    private readonly file: PagedFile,
    private readonly start: number,
    private readonly end: number,
  ) {}

  /** The value at `offset`, relative to the section's start (as tree records and pointers give it). */
  record(offset: number): unknown {
    return this.decode(this.start + offset, 0);
  }

  private need(offset: number, length: number): void {
    if (offset < this.start || offset + length > this.end) throw new MmdbDataError(`data at ${offset} (+${length}) is outside the data section`);
  }

  private decode(offset: number, depth: number): unknown {
    if (depth > MAX_DEPTH) throw new MmdbDataError(`data nested deeper than ${MAX_DEPTH} at ${offset}`);
    this.need(offset, 1);
    const control = this.file.byte(offset);
    let at = offset + 1;
    let type = control >> 5;
    if (type === 1) return this.pointer(control, at, depth);
    if (type === 0) {
      this.need(at, 1);
      type = this.file.byte(at) + 7;
      at++;
    }
    let size = control & 0x1f;
    if (size >= 29) {
      const extra = size - 28;
      this.need(at, extra);
      const value = this.file.uint(at, extra);
      size = size === 29 ? 29 + value : size === 30 ? 285 + value : 65_821 + value;
      at += extra;
    }
    return this.value(type, size, at, depth);
  }

  private pointer(control: number, at: number, depth: number): unknown {
    const width = ((control >> 3) & 3) + 1;
    this.need(at, width);
    const low = this.file.uint(at, width);
    const target = width === 4 ? low : (control & 7) * 2 ** (8 * width) + low + (POINTER_BASES[width - 1] as number);
    const value = this.decode(this.start + target, depth + 1);
    // A pointer's own length is what the reader skips, not what it points to.
    this.next = at + width;
    return value;
  }

  private value(type: number, size: number, at: number, depth: number): unknown {
    // Booleans keep their value in the size bits; maps and arrays count entries, not bytes.
    if (type !== 14 && type !== 7 && type !== 11) this.need(at, size);
    this.next = at + size;
    switch (type) {
      case 2:
        return this.file.bytes(at, size).toString('utf8');
      case 3:
        if (size !== 8) throw new MmdbDataError(`double of ${size} bytes at ${at}`);
        return this.file.bytes(at, 8).readDoubleBE(0);
      case 4:
        return this.file.bytes(at, size);
      case 5:
      case 6:
        if (size > (type === 5 ? 2 : 4)) throw new MmdbDataError(`unsigned integer of ${size} bytes at ${at}`);
        return this.file.uint(at, size);
      case 7:
        return this.map(size, at, depth);
      case 8:
        if (size > 4) throw new MmdbDataError(`int32 of ${size} bytes at ${at}`);
        return size === 4 ? this.file.bytes(at, 4).readInt32BE(0) : this.file.uint(at, size);
      case 9:
      case 10:
        if (size > (type === 9 ? 8 : 16)) throw new MmdbDataError(`unsigned integer of ${size} bytes at ${at}`);
        return size === 0 ? 0n : BigInt(`0x${this.file.bytes(at, size).toString('hex')}`);
      case 11:
        return this.array(size, at, depth);
      case 14:
        this.next = at;
        if (size > 1) throw new MmdbDataError(`boolean of value ${size} at ${at}`);
        return size === 1;
      case 15:
        if (size !== 4) throw new MmdbDataError(`float of ${size} bytes at ${at}`);
        return this.file.bytes(at, 4).readFloatBE(0);
      default:
        throw new MmdbDataError(`unknown data type ${type} at ${at}`);
    }
  }

  private map(count: number, at: number, depth: number): Record<string, unknown> {
    // Every entry takes at least two bytes: a count past that is corrupt, not a reason to loop.
    this.need(at, count * 2);
    const result: Record<string, unknown> = {};
    let cursor = at;
    for (let i = 0; i < count; i++) {
      const key = this.decode(cursor, depth + 1);
      if (typeof key !== 'string') throw new MmdbDataError(`map key at ${cursor} is not a string`);
      const value = this.decode(this.next, depth + 1);
      // A key "__proto__" stays an own data property: a record is data, never a prototype.
      if (key === '__proto__') Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      else result[key] = value;
      cursor = this.next;
    }
    this.next = cursor;
    return result;
  }

  private array(count: number, at: number, depth: number): unknown[] {
    this.need(at, count);
    const result: unknown[] = [];
    let cursor = at;
    for (let i = 0; i < count; i++) {
      result.push(this.decode(cursor, depth + 1));
      cursor = this.next;
    }
    this.next = cursor;
    return result;
  }
}
