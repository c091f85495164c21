// Settings of the desktop app, kept as JSON in the XDG config dir. A missing file means defaults;
// a corrupt one means defaults plus a warning (the file is rewritten on the next change).

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Settings } from '../shared/api.js';
import { applySettingsPatch, DEFAULT_SETTINGS } from './settings-patch.js';

export interface SettingsStore {
  get(): Settings;
  update(patch: unknown): Promise<Settings>;
}

export async function openSettingsStore(configDir: string, onWarning: (message: string) => void): Promise<SettingsStore> {
  const path = join(configDir, 'settings.json');
  let current = DEFAULT_SETTINGS;
  try {
    current = applySettingsPatch(DEFAULT_SETTINGS, JSON.parse(await readFile(path, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onWarning(`ignoring ${path}: ${(error as Error).message}`);
  }
  return {
    get: () => current,
    async update(patch) {
      const next = applySettingsPatch(current, patch);
      await mkdir(dirname(path), { recursive: true });
      // Write then rename, so a crash mid-write never leaves half a file.
      await writeFile(`${path}.tmp`, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
      await rename(`${path}.tmp`, path);
      current = next;
      return next;
    },
  };
}

export function defaultConfigDir(env: NodeJS.ProcessEnv, homeDir: string): string {
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homeDir, '.config');
  return join(base, 'snitchmap');
}
