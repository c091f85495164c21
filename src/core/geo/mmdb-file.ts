// Opening MMDB files, turning their failures into messages that name the file. Only the metadata
// section (the file's tail) is read at open; lookups read the tree and records by page through a
// small cache (paged-file.ts), so a 60–70 MB database costs the engine that cache, not its size.
// `maxmind` parses the metadata; its messages are not passed on: they can quote bytes of the file
// (the CLI may run as root).
import { closeSync, readSync } from 'node:fs';
import { Reader, type Response } from 'maxmind';
import { InputFileError, openRegularFile } from '../config/input-file.js';
import type { ParsedIp } from '../scope/ip.js';
import { MmdbTreeReader, type MmdbLayout } from './mmdb-reader.js';
import { PagedFile } from './paged-file.js';

/** The metadata section sits in the last 128 KiB (MaxMind DB spec, "Database Metadata"). */
const METADATA_MAX_BYTES = 128 * 1024;
const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'); // \xAB\xCD\xEF "MaxMind.com"

/** City databases are 60–130 MB; a file past this is not one (or is /dev/zero's cousin). */
export const MAX_MMDB_BYTES = 512 * 1024 * 1024;
/**
 * Pages kept per open file (4 KiB each). The first levels of the tree and the common records stay
 * cached: on DB-IP City Lite IPv4, random addresses missed 3.3 pages a lookup with 1,024 pages, 1.4
 * with 4,096 and 0.1 with 16,384 (40,000 lookups after 10,000, bench/RESULTS.md).
 */
const CACHED_PAGES = 1024;
const WHAT = 'GeoIP database';

export class GeoDatabaseError extends InputFileError {}

export interface MmdbMetadata {
  databaseType: string;
  /** YYYY-MM-DD (UTC) of the build epoch. */
  built: string;
  ipVersion: number;
}

export interface MmdbReader {
  readonly metadata: MmdbMetadata;
  /** The record for the address; throws on a corrupt part of the file. */
  get(ip: ParsedIp): unknown;
}

function notMmdb(path: string): GeoDatabaseError {
  return new GeoDatabaseError(`${path} is not a valid MaxMind DB (.mmdb) file`);
}

function open(path: string): { fd: number; size: number } {
  try {
    return openRegularFile(path, WHAT, MAX_MMDB_BYTES);
  } catch (error) {
    throw error instanceof InputFileError && !(error instanceof GeoDatabaseError) ? new GeoDatabaseError(error.message, error.code) : error;
  }
}

interface Tail {
  metadata: MmdbMetadata;
  layout: MmdbLayout;
}

function readTail(fd: number, size: number): Tail {
  const length = Math.min(size, METADATA_MAX_BYTES);
  const tail = Buffer.alloc(length);
  readSync(fd, tail, 0, length, size - length);
  const parsed = new Reader<Response>(tail).metadata;
  const epoch = parsed.buildEpoch;
  const built = Number.isNaN(epoch.getTime()) ? 'unknown' : epoch.toISOString().slice(0, 10);
  const metadata = { databaseType: String(parsed.databaseType), built, ipVersion: parsed.ipVersion };
  const { nodeCount, recordSize, ipVersion } = parsed;
  const metadataStart = size - length + tail.lastIndexOf(METADATA_MARKER);
  const treeEnd = nodeCount * (recordSize / 4) + 16;
  if (!Number.isSafeInteger(nodeCount) || nodeCount <= 0 || ![24, 28, 32].includes(recordSize) || ![4, 6].includes(ipVersion) || treeEnd > metadataStart) {
    throw new RangeError('inconsistent metadata');
  }
  return { metadata, layout: { nodeCount, recordSize: recordSize as 24 | 28 | 32, ipVersion: ipVersion as 4 | 6, metadataStart } };
}

/**
 * Each engine opens its own readers (a desktop capture restart creates a new engine): the
 * descriptor is closed when its reader is collected, as the whole-file Buffer it replaces was freed.
 */
const closeWhenCollected = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // Nothing to do: the descriptor is gone either way.
  }
});

/** The file stays open for the reader's life: a database replaced by rename is still read whole. */
export function openMmdb(path: string): MmdbReader {
  const { fd, size } = open(path);
  let tail: Tail;
  try {
    tail = readTail(fd, size);
  } catch {
    closeSync(fd);
    throw notMmdb(path);
  }
  const tree = new MmdbTreeReader(new PagedFile(fd, size, CACHED_PAGES), tail.layout);
  const reader: MmdbReader = { metadata: tail.metadata, get: (ip) => tree.get(ip) };
  closeWhenCollected.register(reader, fd);
  return reader;
}

export function readMetadataOnly(path: string): MmdbMetadata {
  const { fd, size } = open(path);
  try {
    return readTail(fd, size).metadata;
  } catch {
    throw notMmdb(path);
  } finally {
    closeSync(fd);
  }
}
