// The settings of window.snitchmap: their shape, defaults and rules, in one place. The backend
// (src/core/app) applies every patch through applySettingsPatch (patches come from a page and from a
// file the user may have edited); the renderer's Settings form checks its input with the same
// functions, so a value the form accepts is a value the backend accepts.
//
// A new setting: add its field to `Settings`, its default to DEFAULT_SETTINGS and its validator to
// FIELDS below (the compiler insists on all three).

import { parseListenAddress } from './listen-address.js';

/** Longest home label, in characters (the form's maxLength too). */
export const HOME_LABEL_MAX = 100;
export const TILE_URL_MAX = 500;
export const TILE_ATTRIBUTION_MAX = 300;

export interface Settings {
  home: { lat: number; lon: number; label: string } | null;
  /** Optional online tile layer; off by default (offline basemap). */
  onlineTiles: { enabled: boolean; url: string; attribution: string };
  /** Desktop notifications; off by default. */
  notifications: { newProcess: boolean; newCountry: boolean };
  /** Additive: the desktop app's Prometheus endpoint (`[ADDR:]PORT`, loopback by default); absent or disabled: off. */
  metrics?: { enabled: boolean; address: string };
  /**
   * Optional (older settings files lack it): the connection history. `enabled` off keeps nothing;
   * retention in days and MiB (defaults 30 and 1024). Applied at the next start.
   */
  history?: { enabled: boolean; retentionDays: number; maxMegabytes: number };
}

export type HistorySettings = NonNullable<Settings['history']>;

export const DEFAULT_HISTORY_SETTINGS: HistorySettings = { enabled: true, retentionDays: 30, maxMegabytes: 1024 };

export const DEFAULT_SETTINGS: Settings = {
  home: null,
  onlineTiles: { enabled: false, url: '', attribution: '' },
  notifications: { newProcess: false, newCountry: false },
};

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/**
 * An https URL template with {z}, {x} and {y}. Only https: the page's CSP admits the tile host, and
 * plain http would show every panned view to the network. No quotes or angle brackets (the URL ends
 * up in a CSP header and in Leaflet's <img> tags).
 */
export function isTileTemplate(url: string): boolean {
  return url.length <= TILE_URL_MAX && /^https:\/\/[^\s/"'<>]+\/[^\s"'<>]*$/.test(url) && ['{z}', '{x}', '{y}'].every((p) => url.includes(p));
}

export function isLatitude(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 90;
}

export function isLongitude(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 180;
}

function record(value: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SettingsError(`${field} must be an object`);
  const extra = Object.keys(value).filter((key) => !keys.includes(key));
  if (extra.length > 0) throw new SettingsError(`${field}: unknown field(s) ${extra.slice(0, 5).join(', ')}`);
  return value as Record<string, unknown>;
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length > max) throw new SettingsError(`${field} must be a string of at most ${max} characters`);
  return value;
}

function flag(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new SettingsError(`${field} must be true or false`);
  return value;
}

function home(value: unknown): Settings['home'] {
  if (value === null) return null;
  const fields = record(value, 'home', ['lat', 'lon', 'label']);
  if (!isLatitude(fields.lat)) throw new SettingsError('home.lat must be a number between -90 and 90');
  if (!isLongitude(fields.lon)) throw new SettingsError('home.lon must be a number between -180 and 180');
  return { lat: fields.lat, lon: fields.lon, label: text(fields.label, 'home.label', HOME_LABEL_MAX) };
}

// Object-valued settings take partial patches: the fields given replace the current ones.
function onlineTiles(value: unknown, current: Settings['onlineTiles']): Settings['onlineTiles'] {
  const merged = { ...current, ...record(value, 'onlineTiles', ['enabled', 'url', 'attribution']) };
  const url = text(merged.url, 'onlineTiles.url', TILE_URL_MAX);
  const enabled = flag(merged.enabled, 'onlineTiles.enabled');
  if ((enabled || url !== '') && !/^https:\/\/[^\s/"'<>]+\/[^\s"'<>]*$/.test(url)) throw new SettingsError('onlineTiles.url must be an https:// URL template');
  if (enabled && !isTileTemplate(url)) throw new SettingsError('onlineTiles.url needs {z}, {x} and {y}');
  const attribution = text(merged.attribution, 'onlineTiles.attribution', TILE_ATTRIBUTION_MAX);
  // Tile servers' usage policies require their credit on the map.
  if (enabled && attribution.trim() === '') throw new SettingsError('onlineTiles.attribution is required when online tiles are on');
  return { enabled, url, attribution };
}

function notifications(value: unknown, current: Settings['notifications']): Settings['notifications'] {
  const merged = { ...current, ...record(value, 'notifications', ['newProcess', 'newCountry']) };
  return { newProcess: flag(merged.newProcess, 'notifications.newProcess'), newCountry: flag(merged.newCountry, 'notifications.newCountry') };
}

/** A hand-edited file or a page's patch must not open a port by accident: the address is parsed here. */
function metrics(value: unknown, current: Settings['metrics']): Settings['metrics'] {
  const merged = { ...(current ?? {}), ...record(value, 'metrics', ['enabled', 'address']) };
  const enabled = flag(merged.enabled, 'metrics.enabled');
  const address = text(merged.address, 'metrics.address', 100);
  try {
    parseListenAddress(address);
  } catch (error) {
    throw new SettingsError(`metrics.address ${(error as Error).message}`);
  }
  return { enabled, address };
}

function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new SettingsError(`${field} must be a whole number from ${min} to ${max}`);
  return value;
}

export function validateHistorySettings(value: unknown, current: HistorySettings = DEFAULT_HISTORY_SETTINGS): HistorySettings {
  const merged = { ...current, ...record(value, 'history', ['enabled', 'retentionDays', 'maxMegabytes']) };
  return {
    enabled: flag(merged.enabled, 'history.enabled'),
    retentionDays: wholeNumber(merged.retentionDays, 'history.retentionDays', 1, 3650),
    maxMegabytes: wholeNumber(merged.maxMegabytes, 'history.maxMegabytes', 16, 1024 * 1024),
  };
}

/** One validator per setting: the patch's value (untrusted) and the current value in, the new value out. */
const FIELDS: { [K in keyof Settings]: (value: unknown, current: Settings[K]) => Settings[K] } = {
  home,
  onlineTiles,
  notifications,
  metrics,
  history: validateHistorySettings,
};

function isField(key: string): key is keyof Settings {
  return Object.prototype.hasOwnProperty.call(FIELDS, key);
}

/** `current` with `patch` applied; throws SettingsError naming the field on anything malformed or unknown. */
export function applySettingsPatch(current: Settings, patch: unknown): Settings {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new SettingsError('settings patch must be an object');
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (!isField(key)) throw new SettingsError(`unknown setting '${key.slice(0, 40)}'`);
    next[key] = (FIELDS[key] as (value: unknown, current: unknown) => unknown)(value, current[key]);
  }
  return next as unknown as Settings;
}

/** The form's check: the message the backend would refuse `patch` with, or null when it is valid. */
export function settingsProblem(current: Settings, patch: unknown): string | null {
  try {
    applySettingsPatch(current, patch);
    return null;
  } catch (error) {
    return error instanceof SettingsError ? error.message : String(error);
  }
}
