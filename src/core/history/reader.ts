// Read-only access for `snitchmap history`: works while watch/serve/the desktop app is writing
// (WAL readers never block the writer), and never changes, migrates or moves the file.

import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { tuneReads } from './open-store.js';
import { APPLICATION_ID, SCHEMA_VERSION } from './schema.js';

export class HistoryReadError extends Error {
  override name = 'HistoryReadError';
}

export function openHistoryReader(file: string): Database.Database {
  if (!existsSync(file)) throw new HistoryReadError(`no history at ${file} (watch, serve and the desktop app write it)`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 2000 });
  } catch (error) {
    throw new HistoryReadError(`cannot open ${file}: ${(error as Error).message}`);
  }
  try {
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    if (appId !== APPLICATION_ID) throw new HistoryReadError(`${file} is not a snitchmap history`);
    if (version !== SCHEMA_VERSION) throw new HistoryReadError(`${file} has schema ${version}; this snitchmap reads ${SCHEMA_VERSION}`);
    tuneReads(db);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof HistoryReadError) throw error;
    throw new HistoryReadError(`${file} cannot be read: ${(error as Error).message}`);
  }
}
