// The settings of window.snitchmap, kept as JSON in the config dir (one store for the desktop app and
// `serve`). A missing file means defaults; a corrupt or hand-edited one that breaks the rules of
// src/shared/settings.ts means defaults plus a warning (the file is rewritten on the next change).

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applySettingsPatch, DEFAULT_SETTINGS, type Settings } from '../../shared/settings.js';

export interface SettingsStore {
  get(): Settings;
  /** Validates (SettingsError naming the field), writes, then returns the new settings. */
  update(patch: unknown): Promise<Settings>;
}

export function openSettingsStore(configDir: string, onWarning: (message: string) => void): SettingsStore {
  const file = join(configDir, 'settings.json');
  let current = DEFAULT_SETTINGS;
  try {
    current = applySettingsPatch(DEFAULT_SETTINGS, JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onWarning(`ignoring ${file}: ${(error as Error).message}`);
  }
  return {
    get: () => current,
    async update(patch) {
      const next = applySettingsPatch(current, patch);
      mkdirSync(configDir, { recursive: true, mode: 0o700 });
      // Write then rename, so a crash mid-write never leaves half a file.
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
      renameSync(temporary, file);
      current = next;
      return next;
    },
  };
}
