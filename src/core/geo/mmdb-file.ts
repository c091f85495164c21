// Opening MMDB files with `maxmind`'s Reader, turning its terse failures into messages that name the
// file. Metadata can be read from the file's tail alone: the bundled DB-IP files are 61/69 MB and
// only their build date is needed at start-up (the hello), not their contents. The reader's own
// messages are not passed on: they can quote bytes of the file (the CLI may run as root).
import { closeSync, readSync } from 'node:fs';
import { Reader, type Response } from 'maxmind';
import { InputFileError, openRegularFile, readInputFile } from '../config/input-file.js';

export type MmdbReader = Reader<Response>;

/** The metadata section sits in the last 128 KiB (MaxMind DB spec, "Database Metadata"). */
const METADATA_MAX_BYTES = 128 * 1024;

/** City databases are 60–130 MB; a file past this is not one (or is /dev/zero's cousin). */
export const MAX_MMDB_BYTES = 512 * 1024 * 1024;
const WHAT = 'GeoIP database';

export class GeoDatabaseError extends InputFileError {}

function notMmdb(path: string): GeoDatabaseError {
  return new GeoDatabaseError(`${path} is not a valid MaxMind DB (.mmdb) file`);
}

function asGeoError(error: unknown): unknown {
  return error instanceof InputFileError && !(error instanceof GeoDatabaseError) ? new GeoDatabaseError(error.message, error.code) : error;
}

export function openMmdb(path: string): MmdbReader {
  let bytes: Buffer;
  try {
    bytes = readInputFile(path, WHAT, MAX_MMDB_BYTES);
  } catch (error) {
    throw asGeoError(error);
  }
  try {
    return new Reader<Response>(bytes);
  } catch {
    throw notMmdb(path);
  }
}

export interface MmdbMetadata {
  databaseType: string;
  /** YYYY-MM-DD (UTC) of the build epoch. */
  built: string;
  ipVersion: number;
}

export function metadataOf(reader: MmdbReader): MmdbMetadata {
  const epoch = reader.metadata.buildEpoch;
  const built = Number.isNaN(epoch.getTime()) ? 'unknown' : epoch.toISOString().slice(0, 10);
  return { databaseType: String(reader.metadata.databaseType), built, ipVersion: reader.metadata.ipVersion };
}

export function readMetadataOnly(path: string): MmdbMetadata {
  let opened: { fd: number; size: number };
  try {
    opened = openRegularFile(path, WHAT, MAX_MMDB_BYTES);
  } catch (error) {
    throw asGeoError(error);
  }
  const { fd, size } = opened;
  try {
    const length = Math.min(size, METADATA_MAX_BYTES);
    const tail = Buffer.alloc(length);
    readSync(fd, tail, 0, length, size - length);
    return metadataOf(new Reader<Response>(tail));
  } catch {
    throw notMmdb(path);
  } finally {
    closeSync(fd);
  }
}
