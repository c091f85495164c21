// Does a connection's process match what a person typed (`history --process`, list filters)? By
// the process name (comm), the executable's file name, and the app: its id (Flatpak id, snap,
// unit, 12-digit container id), display name and unit, case-insensitively, as a substring. Exported
// for the history command, which another change builds.

import type { ProcessInfo } from '../../shared/contract.js';

function candidates(process: ProcessInfo): string[] {
  const names = [process.name];
  if (process.exe !== null) names.push(process.exe.slice(process.exe.lastIndexOf('/') + 1));
  const app = process.app;
  if (app !== undefined) {
    names.push(app.id);
    if (app.name !== undefined) names.push(app.name);
    if (app.unit !== undefined) names.push(app.unit);
    if (app.desktop !== undefined) names.push(app.desktop);
  }
  return names;
}

/** True when `query` (trimmed, case-insensitive) is part of the process or app names; '' matches all. */
export function processMatches(process: ProcessInfo | null, query: string): boolean {
  const wanted = query.trim().toLowerCase();
  if (wanted === '') return true;
  if (process === null) return wanted === 'unattributed';
  return candidates(process).some((name) => name.toLowerCase().includes(wanted));
}
