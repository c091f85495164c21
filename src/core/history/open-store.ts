// Opens the history file for the engine's writer. Three things can be wrong with it:
// - it is held by another snitchmap (a lock beside it): HistoryLockedError, a clear message;
// - it is corrupt, or not ours (not SQLite, another program's SQLite): it is renamed aside with its
//   -wal/-shm, bytes untouched, and a new history starts; `notice` names where it went;
// - it was written by a newer snitchmap: NewerSchemaError (never downgraded, never moved).

import Database from 'better-sqlite3';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readSync, renameSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { checkOwnership, ForeignFileError, migrate } from './schema.js';

export class HistoryLockedError extends Error {
  override name = 'HistoryLockedError';
}

export interface OpenedStore {
  db: Database.Database;
  file: string;
  /** Set when the file found there was moved aside. */
  notice: string | null;
  close(): void;
}

const SQLITE_HEADER = 'SQLite format 3\0';

function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch {
    return null;
  }
}

function headerOf(file: string): string | null {
  if (!existsSync(file) || statSync(file).size === 0) return null;
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(16);
    const read = readSync(fd, buffer, 0, 16, 0);
    return buffer.subarray(0, read).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

/** SQLite's corruption codes, plus a file that is SQLite but not ours. */
function isDamage(error: unknown): boolean {
  if (error instanceof ForeignFileError) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

function moveAside(file: string, now: Date): string {
  const aside = `${file}.broken-${now.toISOString().replace(/[:.]/g, '-')}`;
  // The -wal holds the newest pages: it travels with the main file so nothing is lost.
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  return aside;
}

/**
 * A second SQLite file beside the history, opened in exclusive locking mode and written once: its
 * lock is a POSIX lock the kernel drops when the process dies (kill -9 included), unlike a pid file.
 */
function takeLock(file: string): Database.Database {
  const lock = new Database(`${file}.lock`, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.pragma('journal_mode = MEMORY');
    lock.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder; INSERT INTO holder VALUES (' + process.pid + '); COMMIT');
    return lock;
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new HistoryLockedError(`history file ${file} is in use by another snitchmap (watch, serve or the desktop app); use --history FILE or --no-history for this one`);
    }
    throw error;
  }
}

/** Window queries read tens of MiB: map the file instead of copying pages through a 2 MiB cache. */
export function tuneReads(db: Database.Database): void {
  db.pragma('mmap_size = 1073741824');
  db.pragma('cache_size = -32768');
}

function openDatabase(file: string): Database.Database {
  const header = headerOf(file);
  if (header !== null && header !== SQLITE_HEADER) throw new ForeignFileError('not an SQLite file');
  if (header !== null) {
    // Checked read-only first: switching a foreign file to WAL would already rewrite its header.
    const probe = new Database(file, { readonly: true, timeout: 2000 });
    try {
      checkOwnership(probe);
      const check = probe.pragma('quick_check', { simple: true });
      if (check !== 'ok') {
        const first = String(check).split('\n').filter((line) => !line.startsWith('***'))[0] ?? '';
        throw Object.assign(new Error(`integrity check failed: ${first.slice(0, 120)}`), { code: 'SQLITE_CORRUPT' });
      }
    } finally {
      probe.close();
    }
  }
  const db = new Database(file, { timeout: 2000 });
  try {
    const fresh = (db.pragma('page_count', { simple: true }) as number) === 0;
    // Freed pages are returned to the file system by the retention job (incremental vacuum);
    // auto_vacuum can only be chosen before the first table exists.
    if (fresh) db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a commit survives the process being killed; only a power loss may undo the last ones.
    db.pragma('synchronous = NORMAL');
    tuneReads(db);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function openHistoryStore(file: string, now: () => number = Date.now): OpenedStore {
  // A directory, FIFO or device is refused before anything is created beside it (a FIFO would
  // block the header read forever).
  const existing = lstatOrNull(file);
  if (existing !== null && !existing.isFile()) throw new Error(`history file ${file} is not a regular file`);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const lock = takeLock(file);
  try {
    let notice: string | null = null;
    let db: Database.Database;
    try {
      db = openDatabase(file);
    } catch (error) {
      if (!isDamage(error)) throw error;
      const aside = moveAside(file, new Date(now()));
      notice = `history file ${file} was unusable (${(error as Error).message}); it was kept as ${aside} and a new history started`;
      db = openDatabase(file);
    }
    return {
      db,
      file,
      notice,
      close() {
        db.close();
        lock.close();
      },
    };
  } catch (error) {
    lock.close();
    throw error;
  }
}
