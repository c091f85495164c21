// Parses one stdin line into an allow-listed command. Anything else is rejected with a reason the
// helper sends back as an `error` message; nothing a command carries is ever opened or executed.

import { HELPER_COMMANDS, type HelperCommand, type HelperCommandName } from '../shared/helper-protocol.js';

export type ParsedCommand = { ok: true; command: HelperCommand } | { ok: false; reason: string };

function isCommandName(value: unknown): value is HelperCommandName {
  return typeof value === 'string' && (HELPER_COMMANDS as readonly string[]).includes(value);
}

/** Printable preview of untrusted input for error messages (bounded, no control characters). */
export function preview(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 60)}...` : clean;
}

export function parseCommand(line: string): ParsedCommand {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: `not JSON: ${preview(line)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'a command is a JSON object {"cmd": ...}' };
  }
  const record = value as Record<string, unknown>;
  const cmd = record.cmd;
  if (!isCommandName(cmd)) {
    return { ok: false, reason: `unknown command ${preview(JSON.stringify(cmd) ?? 'undefined')}; allowed: ${HELPER_COMMANDS.join(', ')}` };
  }
  const allowedKeys = cmd === 'ping' ? ['cmd', 'id'] : ['cmd'];
  const extra = Object.keys(record).filter((key) => !allowedKeys.includes(key));
  if (extra.length > 0) return { ok: false, reason: `unexpected field(s) for ${cmd}: ${preview(extra.join(', '))}` };
  if (cmd === 'ping') {
    const id = record.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { ok: false, reason: 'ping needs an integer id' };
    return { ok: true, command: { cmd, id } };
  }
  return { ok: true, command: { cmd } };
}
