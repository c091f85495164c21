// Settings of window.snitchmap, persisted as JSON in the XDG config dir. Every field is validated on
// load and on update: the file may be hand-edited or corrupt, and updates come from a browser.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../shared/api.js';
import { validateHistorySettings } from '../core/history/settings.js';

export const DEFAULT_SETTINGS: Settings = {
  home: null,
  onlineTiles: { enabled: false, url: '', attribution: '' },
  notifications: { newProcess: false, newCountry: false },
};

export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'snitchmap');
}

function record(value: unknown, what: string, keys: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} must be an object`);
  const extra = Object.keys(value).filter((key) => !keys.includes(key));
  if (extra.length > 0) throw new Error(`${what}: unknown field(s) ${extra.slice(0, 5).join(', ')}`);
  return value as Record<string, unknown>;
}

function text(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string' || value.length > max) throw new Error(`${what} must be a string of at most ${max} characters`);
  return value;
}

function flag(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw new Error(`${what} must be true or false`);
  return value;
}

function coordinate(value: unknown, what: string, limit: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit) {
    throw new Error(`${what} must be a number between -${limit} and ${limit}`);
  }
  return value;
}

function validateHome(value: unknown): Settings['home'] {
  if (value === null) return null;
  const home = record(value, 'home', ['lat', 'lon', 'label']);
  return { lat: coordinate(home.lat, 'home.lat', 90), lon: coordinate(home.lon, 'home.lon', 180), label: text(home.label, 'home.label', 100) };
}

function validateTiles(value: unknown): Settings['onlineTiles'] {
  const tiles = record(value, 'onlineTiles', ['enabled', 'url', 'attribution']);
  const url = text(tiles.url, 'onlineTiles.url', 500);
  const enabled = flag(tiles.enabled, 'onlineTiles.enabled');
  if ((enabled || url !== '') && !/^https:\/\/[^\s"'<>]+$/.test(url)) throw new Error('onlineTiles.url must be an https:// URL');
  if (enabled && !(url.includes('{z}') && url.includes('{x}') && url.includes('{y}'))) {
    throw new Error('onlineTiles.url needs {z}, {x} and {y}');
  }
  return { enabled, url, attribution: text(tiles.attribution, 'onlineTiles.attribution', 300) };
}

function validateNotifications(value: unknown): Settings['notifications'] {
  const notes = record(value, 'notifications', ['newProcess', 'newCountry']);
  return { newProcess: flag(notes.newProcess, 'notifications.newProcess'), newCountry: flag(notes.newCountry, 'notifications.newCountry') };
}

/** Applies a patch (each top-level field replaced whole); throws a readable Error when invalid. */
export function applySettingsPatch(current: Settings, patch: unknown): Settings {
  const fields = record(patch, 'settings', ['home', 'onlineTiles', 'notifications', 'history']);
  const history = 'history' in fields ? validateHistorySettings(fields.history, current.history) : current.history;
  return {
    ...(history !== undefined ? { history } : {}),
    home: 'home' in fields ? validateHome(fields.home) : current.home,
    onlineTiles: 'onlineTiles' in fields ? validateTiles(fields.onlineTiles) : current.onlineTiles,
    notifications: 'notifications' in fields ? validateNotifications(fields.notifications) : current.notifications,
  };
}

function readOptional(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null; // no file yet: defaults
  }
}

export class SettingsStore {
  private current: Settings;
  private readonly file: string;

  constructor(
    private readonly dir: string,
    onWarning: (message: string) => void,
  ) {
    this.file = join(dir, 'settings.json');
    this.current = DEFAULT_SETTINGS;
    const raw = readOptional(this.file);
    if (raw !== null) {
      try {
        this.current = applySettingsPatch(DEFAULT_SETTINGS, JSON.parse(raw));
      } catch (error) {
        onWarning(`ignoring ${this.file}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  get(): Settings {
    return this.current;
  }

  update(patch: unknown): Settings {
    const next = applySettingsPatch(this.current, patch);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
    this.current = next;
    return next;
  }
}
