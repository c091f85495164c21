// Settings arrive from the renderer (untrusted) and from a file the user may have edited: every
// field is checked; anything malformed is refused with a message naming the field.

import type { Settings } from '../shared/api.js';
import { validateHistorySettings } from '../core/history/settings.js';

export const DEFAULT_SETTINGS: Settings = {
  home: null,
  onlineTiles: { enabled: false, url: '', attribution: '' },
  notifications: { newProcess: false, newCountry: false },
};

export class SettingsError extends Error {
  override name = 'SettingsError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finite(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new SettingsError(`${field} must be a number between ${min} and ${max}`);
  }
  return value;
}

function text(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length > maxLength) throw new SettingsError(`${field} must be a string of at most ${maxLength} characters`);
  return value;
}

function flag(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new SettingsError(`${field} must be true or false`);
  return value;
}

function home(value: unknown): Settings['home'] {
  if (value === null) return null;
  if (!isRecord(value)) throw new SettingsError('home must be {lat, lon, label} or null');
  return { lat: finite(value.lat, 'home.lat', -90, 90), lon: finite(value.lon, 'home.lon', -180, 180), label: text(value.label, 'home.label', 200) };
}

function tiles(value: unknown, base: Settings['onlineTiles']): Settings['onlineTiles'] {
  if (!isRecord(value)) throw new SettingsError('onlineTiles must be an object');
  const merged = { ...base, ...value };
  const url = text(merged.url, 'onlineTiles.url', 500);
  // Only https tile templates: the CSP admits that one host, and plain http would leak the view.
  if (url !== '' && !/^https:\/\/[^\s/]+\/\S*$/.test(url)) throw new SettingsError('onlineTiles.url must be an https:// URL template');
  return { enabled: flag(merged.enabled, 'onlineTiles.enabled'), url, attribution: text(merged.attribution, 'onlineTiles.attribution', 500) };
}

function notifications(value: unknown, base: Settings['notifications']): Settings['notifications'] {
  if (!isRecord(value)) throw new SettingsError('notifications must be an object');
  const merged = { ...base, ...value };
  return { newProcess: flag(merged.newProcess, 'notifications.newProcess'), newCountry: flag(merged.newCountry, 'notifications.newCountry') };
}

/** `current` with `patch` applied; throws SettingsError on any malformed or unknown field. */
export function applySettingsPatch(current: Settings, patch: unknown): Settings {
  if (!isRecord(patch)) throw new SettingsError('settings patch must be an object');
  const next: Settings = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'home') next.home = home(value);
    else if (key === 'onlineTiles') next.onlineTiles = tiles(value, current.onlineTiles);
    else if (key === 'notifications') next.notifications = notifications(value, current.notifications);
    else if (key === 'history') {
      try {
        next.history = validateHistorySettings(value, current.history);
      } catch (error) {
        throw new SettingsError((error as Error).message);
      }
    }
    else throw new SettingsError(`unknown setting '${key}'`);
  }
  return next;
}
