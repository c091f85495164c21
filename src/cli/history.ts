// `snitchmap history`: the connections active in a window, from the history file, read-only (it
// works while watch/serve/the desktop app writes). --json: one `connection` object per line (the
// watch contract's fields, `event` its last state in the window, plus firstSeen/lastSeen and the
// bytes in the window); otherwise a table with totals per process and per country.

import type { Writable } from 'node:stream';
import type { HistoryConnection } from '../shared/history.js';
import type { HistoryOptions } from './args.js';
import { formatHistoryTable } from './history-table.js';
import { jsonLine } from './json-line.js';

export interface HistoryDeps {
  stdout: Writable;
  stderr: Writable;
  defaultFile: string;
}

export async function runHistory(options: HistoryOptions, deps: HistoryDeps): Promise<number> {
  // Loaded here: --help and usage errors must not need the native module.
  const [{ openHistoryReader, HistoryReadError }, { queryWindow }, { StoredEventError }] = await Promise.all([
    import('../core/history/reader.js'),
    import('../core/history/queries.js'),
    import('../core/history/stored-event.js'),
  ]);
  const file = options.history ?? deps.defaultFile;
  let connections: HistoryConnection[];
  try {
    const db = openHistoryReader(file);
    try {
      // The whole window: the CLI never cuts it.
      ({ connections } = queryWindow(
        db,
        { from: options.since, to: options.until },
        { ...(options.process !== undefined ? { process: options.process } : {}), ...(options.country !== undefined ? { country: options.country } : {}), limit: Number.MAX_SAFE_INTEGER },
      ));
    } finally {
      db.close();
    }
  } catch (error) {
    if (!(error instanceof HistoryReadError) && !(error instanceof StoredEventError) && !(error as { code?: string }).code?.startsWith('SQLITE')) throw error;
    deps.stderr.write(`snitchmap: ${(error as Error).message}\n`);
    return 1;
  }
  // Oldest first, as watch prints them.
  connections.sort((a, b) => a.firstSeen - b.firstSeen);
  if (options.json) {
    for (const connection of connections) deps.stdout.write(jsonLine(connection));
  } else {
    deps.stdout.write(formatHistoryTable(connections, options.since, options.until));
  }
  return 0;
}
