// The history schema and its migrations. `PRAGMA application_id` marks a file as ours (a foreign
// SQLite file is never written to); `PRAGMA user_version` is the schema version. Migrations run
// in one transaction each, in order; a file from a newer snitchmap is refused, not downgraded.

import type { Database } from 'better-sqlite3';

/** 'SnMp'. */
export const APPLICATION_ID = 0x536e4d70;

const MIGRATIONS: string[] = [
  // 1: connections (identity, latest contract event as JSON, totals), byte buckets, per-minute
  // traffic for the timeline, (process, host|country) pairs for "first seen", and runs.
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started INTEGER NOT NULL,
    alive INTEGER NOT NULL
  );
  CREATE TABLE connections (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    open INTEGER NOT NULL,
    process TEXT,
    country TEXT,
    host TEXT,
    tx_bytes INTEGER NOT NULL,
    rx_bytes INTEGER NOT NULL,
    new_host INTEGER NOT NULL DEFAULT 0,
    new_country INTEGER NOT NULL DEFAULT 0,
    event TEXT NOT NULL
  );
  CREATE INDEX connections_last_seen ON connections (last_seen);
  CREATE INDEX connections_open ON connections (open) WHERE open = 1;
  CREATE TABLE buckets (
    conn INTEGER NOT NULL,
    t INTEGER NOT NULL,
    tx INTEGER NOT NULL,
    rx INTEGER NOT NULL,
    PRIMARY KEY (conn, t)
  ) WITHOUT ROWID;
  CREATE INDEX buckets_t ON buckets (t);
  CREATE TABLE traffic (
    t INTEGER PRIMARY KEY,
    tx INTEGER NOT NULL,
    rx INTEGER NOT NULL,
    opened INTEGER NOT NULL
  );
  CREATE TABLE pairs (
    kind TEXT NOT NULL,
    process TEXT NOT NULL,
    target TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (kind, process, target)
  ) WITHOUT ROWID;
  `,
  // 2: the window query's index. Active in [from, to] is last_seen >= from AND first_seen <= to;
  // with both in one index the count reads the index alone and the rows newer than the window are
  // skipped without reading them (bench/RESULTS.md, History). It serves what connections_last_seen did.
  // buckets_t goes: a second B-tree written per bucket for the pruner alone, which now finds old
  // buckets through their connections (retention.ts). first_tx/first_rx: the bytes of a connection's
  // first minute, its first bucket kept in its row (most connections have no other; recorder.ts).
  `
  DROP INDEX connections_last_seen;
  CREATE INDEX connections_window ON connections (last_seen, first_seen);
  DROP INDEX buckets_t;
  ALTER TABLE connections ADD COLUMN first_tx INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE connections ADD COLUMN first_rx INTEGER NOT NULL DEFAULT 0;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export class ForeignFileError extends Error {
  override name = 'ForeignFileError';
}

export class NewerSchemaError extends Error {
  override name = 'NewerSchemaError';
}

/** Throws unless the file is ours (or empty) and not newer: reads only, so a foreign file stays untouched. */
export function checkOwnership(db: Database): number {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get() as { n: number }).n;
  if (appId !== APPLICATION_ID && !(appId === 0 && version === 0 && tables === 0)) {
    throw new ForeignFileError(`not a snitchmap history (application_id ${appId}, ${tables} tables)`);
  }
  if (version > SCHEMA_VERSION) {
    throw new NewerSchemaError(`written by a newer snitchmap (schema ${version}, this one knows ${SCHEMA_VERSION})`);
  }
  return version;
}

/** Brings a database that passed checkOwnership to SCHEMA_VERSION. */
export function migrate(db: Database): void {
  const version = checkOwnership(db);
  for (let next = version; next < SCHEMA_VERSION; next++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[next] ?? '');
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${next + 1}`);
    })();
  }
}
