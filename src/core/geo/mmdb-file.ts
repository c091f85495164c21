// Opening MMDB files with `maxmind`'s Reader, turning its terse failures into messages that name the
// file. Metadata can be read from the file's tail alone: the bundled DB-IP files are 61/69 MB and
// only their build date is needed at start-up (the hello), not their contents.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { Reader, type Response } from 'maxmind';

export type MmdbReader = Reader<Response>;

/** The metadata section sits in the last 128 KiB (MaxMind DB spec, "Database Metadata"). */
const METADATA_MAX_BYTES = 128 * 1024;

export class GeoDatabaseError extends Error {}

export function openMmdb(path: string): MmdbReader {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new GeoDatabaseError(`cannot read GeoIP database ${path}: ${(error as Error).message}`);
  }
  try {
    return new Reader<Response>(bytes);
  } catch (error) {
    throw new GeoDatabaseError(`${path} is not a valid MaxMind DB (.mmdb) file: ${(error as Error).message}`);
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
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new GeoDatabaseError(`cannot read GeoIP database ${path}: ${(error as Error).message}`);
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, METADATA_MAX_BYTES);
    const tail = Buffer.alloc(length);
    readSync(fd, tail, 0, length, size - length);
    return metadataOf(new Reader<Response>(tail));
  } catch (error) {
    if (error instanceof GeoDatabaseError) throw error;
    throw new GeoDatabaseError(`${path} is not a valid MaxMind DB (.mmdb) file: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
