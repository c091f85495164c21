import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsStore, applySettingsPatch, defaultConfigDir } from '../../../src/cli/settings-store.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sm-settings-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('settings store', () => {
  it('starts from defaults, persists updates (0600) and reads them back', () => {
    const dir = join(tempDir(), 'snitchmap');
    const store = new SettingsStore(dir, () => undefined);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    const next = store.update({ home: { lat: 48.85, lon: 2.35, label: 'Paris' } });
    expect(next.home).toEqual({ lat: 48.85, lon: 2.35, label: 'Paris' });
    expect(statSync(join(dir, 'settings.json')).mode & 0o777).toBe(0o600);
    expect(new SettingsStore(dir, () => undefined).get()).toEqual(next);
  });

  it('rejects invalid fields and keeps the previous settings', () => {
    const store = new SettingsStore(tempDir(), () => undefined);
    const bad: unknown[] = [
      { home: { lat: 91, lon: 0, label: '' } },
      { home: { lat: 0, lon: 0 } },
      { home: { lat: '1', lon: 0, label: 'x' } },
      { onlineTiles: { enabled: true, url: 'http://tiles.example/{z}/{x}/{y}.png', attribution: '' } },
      { onlineTiles: { enabled: true, url: 'https://tiles.example/tile.png', attribution: '' } },
      { onlineTiles: { enabled: false, url: 'javascript:alert(1)', attribution: '' } },
      { notifications: { newProcess: 'yes', newCountry: false } },
      { theme: 'dark' },
      null,
      [],
    ];
    for (const patch of bad) expect(() => store.update(patch), JSON.stringify(patch)).toThrow();
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(applySettingsPatch(DEFAULT_SETTINGS, { onlineTiles: { enabled: true, url: 'https://t.example/{z}/{x}/{y}.png', attribution: 'OSM' } }).onlineTiles.enabled).toBe(true);
  });

  it('warns about a corrupt file and uses defaults', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), '{"home": {"lat": "north"');
    const warnings: string[] = [];
    expect(new SettingsStore(dir, (w) => warnings.push(w)).get()).toEqual(DEFAULT_SETTINGS);
    expect(warnings[0]).toMatch(/ignoring .*settings\.json/);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toContain('north');
  });

  it('finds the XDG config dir', () => {
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/x/conf' })).toBe('/x/conf/snitchmap');
    expect(defaultConfigDir({ XDG_CONFIG_HOME: 'relative' })).toMatch(/\.config\/snitchmap$/);
  });
});
