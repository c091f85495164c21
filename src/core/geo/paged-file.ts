// Random reads from a large file through a small cache of its pages. The GeoIP databases are 60–70
// MB each and a lookup touches a few dozen bytes of them: read whole, the two bundled DB-IP files
// were 128 MiB of the engine's RSS. Read by page, they cost this cache plus the kernel's page cache,
// which is shared, reclaimable and not the engine's RSS (bench/RESULTS.md, "Engine").
import { readSync } from 'node:fs';

export const PAGE_BYTES = 4096;

export class PagedFile {
  /** One allocation for every cached page. */
  private readonly slab: Buffer;
  /** Page number → slot in the slab, or -1: 4 bytes per page of the file (62 KB for 63 MB). */
  private readonly slotOf: Int32Array;
  /** Slot → page it holds (-1: free), and whether it was used since the clock hand last passed. */
  private readonly pageOf: Int32Array;
  private readonly referenced: Uint8Array;
  private hand = 0;
  private lastPage = -1;
  private lastStart = 0;

  /** Bytes of the file read so far (the cache's misses), for the bench. */
  bytesRead = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
    private readonly maxPages: number,
  ) {
    this.slab = Buffer.alloc(maxPages * PAGE_BYTES);
    this.slotOf = new Int32Array(Math.ceil(size / PAGE_BYTES)).fill(-1);
    this.pageOf = new Int32Array(maxPages).fill(-1);
    this.referenced = new Uint8Array(maxPages);
  }

  /** Where in the slab page `page` is, reading it on a miss. */
  private slotStart(page: number): number {
    if (page === this.lastPage) return this.lastStart;
    let slot = this.slotOf[page] as number;
    if (slot < 0) slot = this.load(page);
    this.referenced[slot] = 1;
    this.lastPage = page;
    this.lastStart = slot * PAGE_BYTES;
    return this.lastStart;
  }

  /**
   * Reads a page into a slot chosen by the clock algorithm: the hand skips (and clears) slots used
   * since its last pass. A Map kept in LRU order by delete and re-insert was measured at 4–7 µs per
   * hit in V8 (its table rehashes), more than the pread of a miss.
   */
  private load(page: number): number {
    while (this.referenced[this.hand] === 1) {
      this.referenced[this.hand] = 0;
      this.hand = (this.hand + 1) % this.maxPages;
    }
    const slot = this.hand;
    this.hand = (this.hand + 1) % this.maxPages;
    const previous = this.pageOf[slot] as number;
    if (previous >= 0) this.slotOf[previous] = -1;
    // Unmapped until the read succeeds: a failed read leaves no half-filled page behind.
    this.pageOf[slot] = -1;
    if (this.lastPage === previous) this.lastPage = -1;
    const start = page * PAGE_BYTES;
    const length = Math.min(PAGE_BYTES, this.size - start);
    let done = 0;
    while (done < length) {
      const read = readSync(this.fd, this.slab, slot * PAGE_BYTES + done, length - done, start + done);
      if (read === 0) throw new RangeError(`file ended at byte ${start + done} (expected ${this.size})`);
      done += read;
    }
    this.bytesRead += length;
    this.pageOf[slot] = page;
    this.slotOf[page] = slot;
    return slot;
  }

  private check(offset: number, length: number): void {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.size)) {
      throw new RangeError(`read of ${length} bytes at ${offset} is outside the file (${this.size} bytes)`);
    }
  }

  byte(offset: number): number {
    this.check(offset, 1);
    const page = Math.floor(offset / PAGE_BYTES);
    return this.slab[this.slotStart(page) + offset - page * PAGE_BYTES] as number;
  }

  /** `length` bytes at `offset`, copied (they may span pages; the slab is reused). */
  bytes(offset: number, length: number): Buffer {
    this.check(offset, length);
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const page = Math.floor(at / PAGE_BYTES);
      const within = at - page * PAGE_BYTES;
      const take = Math.min(length - done, PAGE_BYTES - within);
      const start = this.slotStart(page);
      this.slab.copy(out, done, start + within, start + within + take);
      done += take;
    }
    return out;
  }

  /** Big-endian unsigned integer of 1–6 bytes. */
  uint(offset: number, length: number): number {
    let value = 0;
    for (let i = 0; i < length; i++) value = value * 256 + this.byte(offset + i);
    return value;
  }
}
