// Looks addresses up in an MMDB file read by page (paged-file.ts): the search tree is walked one
// bit of the address per node, and the record it ends on is decoded from the data section.
// Spec: https://maxmind.github.io/MaxMind-DB/ ("Search Tree Section").
import type { ParsedIp } from '../scope/ip.js';
import { MmdbData, MmdbDataError } from './mmdb-data.js';
import type { PagedFile } from './paged-file.js';

/** What the reader needs from the metadata section. */
export interface MmdbLayout {
  nodeCount: number;
  recordSize: 24 | 28 | 32;
  ipVersion: 4 | 6;
  /** Absolute offset where the metadata marker starts: the data section ends there. */
  metadataStart: number;
}

const SEPARATOR_BYTES = 16;

/** The address as 32-bit words, most significant first: one BigInt shift per word, not per bit. */
function wordsOf(value: bigint, count: number): number[] {
  const words: number[] = [];
  for (let i = count - 1; i >= 0; i--) words.push(Number((value >> BigInt(32 * i)) & 0xffffffffn));
  return words;
}

export class MmdbTreeReader {
  private readonly nodeBytes: number;
  private readonly treeBytes: number;
  private readonly data: MmdbData;
  private ipv4Root: number | null = null;

  constructor(
    private readonly file: PagedFile,
    private readonly layout: MmdbLayout,
  ) {
    this.nodeBytes = layout.recordSize / 4;
    this.treeBytes = layout.nodeCount * this.nodeBytes;
    this.data = new MmdbData(file, this.treeBytes + SEPARATOR_BYTES, layout.metadataStart);
  }

  /** The record for `ip`, or null when the file has none (or holds no addresses of its family). */
  get(ip: ParsedIp): unknown {
    // An IPv4-only file cannot answer for IPv6 (libmaxminddb refuses it too).
    if (ip.family === 6 && this.layout.ipVersion === 4) return null;
    const bits = ip.family === 4 ? 32 : 128;
    let node = ip.family === 4 ? this.ipv4Start() : 0;
    const { nodeCount } = this.layout;
    const words = wordsOf(ip.value, bits / 32);
    for (let depth = 0; depth < bits && node < nodeCount; depth++) {
      node = this.child(node, ((words[depth >> 5] as number) >>> (31 - (depth & 31))) & 1);
    }
    if (node === nodeCount) return null;
    if (node < nodeCount) return null; // ran out of address bits inside the tree: no record
    const offset = node - nodeCount - SEPARATOR_BYTES;
    if (offset < 0) throw new MmdbDataError(`tree record ${node} points into the separator`);
    return this.data.record(offset);
  }

  /** IPv4 addresses live under ::/96 of an IPv6 tree: the node 96 left turns down from the root. */
  private ipv4Start(): number {
    if (this.layout.ipVersion === 4) return 0;
    if (this.ipv4Root === null) {
      let node = 0;
      for (let i = 0; i < 96 && node < this.layout.nodeCount; i++) node = this.child(node, 0);
      this.ipv4Root = node;
    }
    return this.ipv4Root;
  }

  private child(node: number, bit: number): number {
    const at = node * this.nodeBytes;
    const file = this.file;
    switch (this.layout.recordSize) {
      case 24:
        return file.uint(at + bit * 3, 3);
      case 28: {
        const middle = file.byte(at + 3);
        return bit === 0 ? (middle >> 4) * 0x1000000 + file.uint(at, 3) : (middle & 0x0f) * 0x1000000 + file.uint(at + 4, 3);
      }
      case 32:
        return file.uint(at + bit * 4, 4);
    }
  }
}
