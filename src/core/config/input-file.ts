// Reading a file the user named (--locations, --geoip) or one found on disk. Only regular files,
// up to a size cap: a FIFO would block the open and the read forever, /dev/zero would fill memory.
// The CLI may run as root, so a message about a file never contains what is in it.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export class InputFileError extends Error {
  override name = 'InputFileError';

  /** The errno code when the file could not be opened or read (ENOENT: it does not exist). */
  constructor(message: string, readonly code: string | null = null) {
    super(message);
  }
}

function ioError(what: string, path: string, error: unknown): InputFileError {
  const code = (error as NodeJS.ErrnoException).code ?? null;
  return new InputFileError(`cannot read ${what} ${path}: ${code ?? 'error'}`, code);
}

/**
 * Opens `path` for reading without blocking (a FIFO opens at once with O_NONBLOCK) and checks that
 * it is a regular file of at most `maxBytes`. Returns the descriptor and size; the caller closes it.
 */
export function openRegularFile(path: string, what: string, maxBytes: number): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw ioError(what, path, error);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new InputFileError(`${what} ${path} is not a regular file`);
    if (stat.size > maxBytes) throw new InputFileError(`${what} ${path} is larger than ${maxBytes} bytes`);
    return { fd, size: stat.size };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** The whole file; it may not grow past `maxBytes` while being read either. */
export function readInputFile(path: string, what: string, maxBytes: number): Buffer {
  const { fd, size } = openRegularFile(path, what, maxBytes);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.max(Math.min(size - total, maxBytes + 1 - total), 64 * 1024));
      let read: number;
      try {
        read = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        throw ioError(what, path, error);
      }
      if (read === 0) break;
      total += read;
      if (total > maxBytes) throw new InputFileError(`${what} ${path} is larger than ${maxBytes} bytes`);
      chunks.push(chunk.subarray(0, read));
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
