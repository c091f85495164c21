// One settings schema (src/shared/settings.ts) and one store (src/core/app/settings-store.ts) for
// the desktop app, serve and the renderer's form.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSettingsStore } from '../../../src/core/app/settings-store.js';
import { defaultConfigDir } from '../../../src/core/config/paths.js';
import { applySettingsPatch, DEFAULT_SETTINGS, HOME_LABEL_MAX, isTileTemplate, settingsProblem } from '../../../src/shared/settings.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sm-settings-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const TILES = { enabled: true, url: 'https://t.example/{z}/{x}/{y}.png', attribution: 'OSM' };

describe('settings schema', () => {
  it('applies valid patches; object settings take partial patches', () => {
    const next = applySettingsPatch(DEFAULT_SETTINGS, { home: { lat: 48.85, lon: 2.35, label: 'Paris' }, notifications: { newCountry: true } });
    expect(next.home).toEqual({ lat: 48.85, lon: 2.35, label: 'Paris' });
    expect(next.notifications).toEqual({ newProcess: false, newCountry: true });
    expect(DEFAULT_SETTINGS.notifications.newCountry).toBe(false);
    expect(applySettingsPatch(DEFAULT_SETTINGS, { onlineTiles: TILES }).onlineTiles).toEqual(TILES);
    expect(applySettingsPatch(DEFAULT_SETTINGS, { home: { lat: 0, lon: 0, label: 'x'.repeat(HOME_LABEL_MAX) } }).home?.label).toHaveLength(HOME_LABEL_MAX);
  });

  it('refuses anything malformed, naming the field', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ home: { lat: 91, lon: 0, label: '' } }, /home.lat/],
      [{ home: { lat: Number.NaN, lon: 0, label: '' } }, /home.lat/],
      [{ home: { lat: '1', lon: 0, label: 'x' } }, /home.lat/],
      [{ home: { lat: 0, lon: 0 } }, /home.label/],
      [{ home: { lat: 0, lon: 0, label: 'x'.repeat(HOME_LABEL_MAX + 1) } }, /home.label/],
      [{ home: { lat: 0, lon: 0, label: 'x', extra: 1 } }, /home: unknown field/],
      [{ onlineTiles: { enabled: 'yes' } }, /onlineTiles.enabled/],
      [{ onlineTiles: { url: 'http://tile.example/{z}/{x}/{y}.png' } }, /https/],
      [{ onlineTiles: { ...TILES, url: 'http://tiles.example/{z}/{x}/{y}.png' } }, /https/],
      [{ onlineTiles: { url: 'javascript:alert(1)' } }, /https/],
      [{ onlineTiles: { ...TILES, url: 'https://tiles.example/tile.png' } }, /\{z\}, \{x\} and \{y\}/],
      [{ onlineTiles: { ...TILES, attribution: ' ' } }, /attribution is required/],
      [{ notifications: { newProcess: 1 } }, /notifications.newProcess/],
      [{ notifications: { newProcess: 'yes', newCountry: false } }, /notifications.newProcess/],
      [{ __proto__: { polluted: true }, shell: '/bin/sh' }, /unknown setting 'shell'/],
      [{ theme: 'dark' }, /unknown setting 'theme'/],
      ['string', /must be an object/],
      [null, /must be an object/],
      [[], /must be an object/],
    ];
    for (const [patch, message] of bad) expect(() => applySettingsPatch(DEFAULT_SETTINGS, patch), JSON.stringify(patch)).toThrow(message);
  });

  it("gives the renderer's form the backend's verdict, and one tile-template rule", () => {
    expect(settingsProblem(DEFAULT_SETTINGS, { onlineTiles: TILES })).toBeNull();
    expect(settingsProblem(DEFAULT_SETTINGS, { onlineTiles: { ...TILES, url: 'http://t.example/{z}/{x}/{y}.png' } })).toMatch(/https/);
    expect(isTileTemplate(TILES.url)).toBe(true);
    expect(isTileTemplate('http://t.example/{z}/{x}/{y}.png')).toBe(false);
    expect(isTileTemplate('https://t.example/{z}/{x}.png')).toBe(false);
  });
});

describe('settings store', () => {
  it('starts from defaults, persists updates (0600) and reads them back', async () => {
    const dir = join(tempDir(), 'snitchmap');
    const store = openSettingsStore(dir, () => undefined);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    const next = await store.update({ home: { lat: 48.85, lon: 2.35, label: 'Paris' } });
    expect(next.home).toEqual({ lat: 48.85, lon: 2.35, label: 'Paris' });
    expect(statSync(join(dir, 'settings.json')).mode & 0o777).toBe(0o600);
    expect(openSettingsStore(dir, () => undefined).get()).toEqual(next);
  });

  it('rejects an invalid update and keeps the previous settings (and file)', async () => {
    const dir = tempDir();
    const store = openSettingsStore(dir, () => undefined);
    await expect(store.update({ home: { lat: 91, lon: 0, label: '' } })).rejects.toThrow(/home.lat/);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(() => readFileSync(join(dir, 'settings.json'))).toThrow();
  });

  it('warns once about a corrupt or rule-breaking file, uses defaults, and leaves the file alone', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), '{"home": {"lat": "north"');
    const warnings: string[] = [];
    expect(openSettingsStore(dir, (w) => warnings.push(w)).get()).toEqual(DEFAULT_SETTINGS);
    writeFileSync(join(dir, 'settings.json'), '{"home": "nowhere"}');
    expect(openSettingsStore(dir, (w) => warnings.push(w)).get()).toEqual(DEFAULT_SETTINGS);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/ignoring .*settings\.json/);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toContain('nowhere');
  });

  it('finds the config dir one way: absolute XDG_CONFIG_HOME, else <home>/.config', () => {
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/x/conf' }, '/home/a')).toBe('/x/conf/snitchmap');
    expect(defaultConfigDir({ XDG_CONFIG_HOME: 'relative' }, '/home/a')).toBe('/home/a/.config/snitchmap');
    expect(defaultConfigDir({ HOME: '/home/b' })).toBe('/home/b/.config/snitchmap');
  });
});
