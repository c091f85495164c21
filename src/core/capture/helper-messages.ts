// Checks the shape of each helper line before the engine sees it. The helper is ours, but it may be
// a different build (protocol version), and a half-written line from a dying process is possible:
// malformed lines and unknown message types are counted, never thrown.

import { HELPER_PROTOCOL_VERSION, type HelperMessage } from '../../shared/helper-protocol.js';

export type Decoded =
  | { kind: 'message'; message: HelperMessage }
  | { kind: 'unknown'; type: string }
  | { kind: 'malformed'; reason: string };

const ARRAY_FIELD: Record<string, string> = {
  flows: 'flows',
  'flow-end': 'ends',
  owners: 'owners',
  dns: 'messages',
  stats: 'interfaces',
};

const KNOWN = new Set(['hello', 'flows', 'flow-end', 'owners', 'dns', 'stats', 'paused', 'resumed', 'pong', 'error', 'bye']);

export function decodeHelperLine(line: string): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'malformed', reason: 'not an object' };
  const record = value as Record<string, unknown>;
  const type = record.t;
  if (typeof type !== 'string') return { kind: 'malformed', reason: 'no message type' };
  if (!KNOWN.has(type)) return { kind: 'unknown', type: type.slice(0, 40) };
  const arrayField = ARRAY_FIELD[type];
  if (arrayField !== undefined && !Array.isArray(record[arrayField])) {
    return { kind: 'malformed', reason: `${type} without ${arrayField}[]` };
  }
  if (type === 'hello') {
    if (record.protocol !== HELPER_PROTOCOL_VERSION) {
      return { kind: 'malformed', reason: `helper speaks protocol ${String(record.protocol)}, expected ${HELPER_PROTOCOL_VERSION}` };
    }
    if (typeof record.probes !== 'object' || record.probes === null || !Array.isArray(record.limitations)) {
      return { kind: 'malformed', reason: 'hello without probes/limitations' };
    }
  }
  if (type === 'error' && (typeof record.message !== 'string' || typeof record.code !== 'string')) {
    return { kind: 'malformed', reason: 'error without code/message' };
  }
  return { kind: 'message', message: value as HelperMessage };
}
