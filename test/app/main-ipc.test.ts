// The IPC boundary: calls from other frames or origins are refused, arguments are validated,
// app:// URLs never escape the renderer folder, settings are validated field by field.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_METHODS } from '../../src/shared/api.js';
import { invokeChannel } from '../../src/shared/ipc.js';
import { isAppUrl, resolveAppPath } from '../../src/main/app-url.js';
import { applySettingsPatch, DEFAULT_SETTINGS } from '../../src/main/settings-patch.js';
import { defaultConfigDir, openSettingsStore } from '../../src/main/settings-store.js';
import { createFakeBackend } from './fakes/fake-backend.js';
import { preloadTransport } from './fakes/transports.js';

describe('IPC gateway', () => {
  it('registers exactly one channel per API method', () => {
    const { handlers } = preloadTransport(createFakeBackend());
    expect([...handlers.keys()].sort()).toEqual(API_METHODS.map(invokeChannel).sort());
  });

  it('refuses calls from a subframe or a foreign page', async () => {
    const backend = createFakeBackend();
    const ipc = preloadTransport(backend);
    ipc.frame.parent = { url: 'app://snitchmap/index.html' };
    await expect(ipc.api.pause()).rejects.toThrow(/refused pause/);
    ipc.frame.parent = null;
    ipc.frame.url = 'https://evil.example/';
    await expect(ipc.api.getSnapshot()).rejects.toThrow(/refused getSnapshot from https:\/\/evil.example/);
    ipc.frame.url = 'file:///etc/passwd';
    await expect(ipc.api.clear()).rejects.toThrow(/refused/);
    expect(backend.calls).toEqual([]);
  });

  it('refuses malformed arguments before the backend sees them', async () => {
    const backend = createFakeBackend();
    const { handlers, frame } = preloadTransport(backend);
    const call = (method: string, ...args: unknown[]) => handlers.get(invokeChannel(method as 'pause'))?.({ senderFrame: frame }, ...args);
    expect(() => call('pause', 'extra')).toThrow(/pause takes no arguments/);
    expect(() => call('updateSettings')).toThrow(/one settings object/);
    expect(() => call('updateSettings', ['home'])).toThrow(/one settings object/);
    expect(() => call('updateSettings', null)).toThrow(/one settings object/);
    expect(backend.calls).toEqual([]);
  });
});

describe('app:// URLs', () => {
  const root = '/opt/snitchmap/out/renderer';
  it('map onto files inside the renderer folder only', () => {
    expect(resolveAppPath(root, 'app://snitchmap/')).toBe(`${root}/index.html`);
    expect(resolveAppPath(root, 'app://snitchmap/assets/index-abc.js?x=1')).toBe(`${root}/assets/index-abc.js`);
    for (const bad of [
      'app://snitchmap/../../etc/passwd',
      'app://snitchmap/%2e%2e/%2e%2e/etc/passwd',
      'app://snitchmap/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'app://snitchmap/a%00.js',
      'app://other/index.html',
      'file:///etc/passwd',
      'app://snitchmap/%E0%A4%A',
      'app://snitchmap/assets/',
    ]) {
      expect(resolveAppPath(root, bad), bad).toBeNull();
    }
    expect(isAppUrl('app://snitchmap/index.html')).toBe(true);
    expect(isAppUrl('app://snitchmap.evil/index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});

describe('settings', () => {
  it('applies valid patches and refuses anything malformed, naming the field', () => {
    const next = applySettingsPatch(DEFAULT_SETTINGS, { home: { lat: 48.85, lon: 2.35, label: 'Paris' }, notifications: { newCountry: true } });
    expect(next.home).toEqual({ lat: 48.85, lon: 2.35, label: 'Paris' });
    expect(next.notifications).toEqual({ newProcess: false, newCountry: true });
    expect(DEFAULT_SETTINGS.notifications.newCountry).toBe(false);
    const bad: Array<[unknown, RegExp]> = [
      [{ home: { lat: 91, lon: 0, label: '' } }, /home.lat/],
      [{ home: { lat: Number.NaN, lon: 0, label: '' } }, /home.lat/],
      [{ home: { lat: 0, lon: 0, label: 'x'.repeat(201) } }, /home.label/],
      [{ onlineTiles: { enabled: 'yes' } }, /onlineTiles.enabled/],
      [{ onlineTiles: { url: 'http://tile.example/{z}/{x}/{y}.png' } }, /https/],
      [{ onlineTiles: { url: 'javascript:alert(1)' } }, /https/],
      [{ notifications: { newProcess: 1 } }, /notifications.newProcess/],
      [{ __proto__: { polluted: true }, shell: '/bin/sh' }, /unknown setting 'shell'/],
      ['string', /must be an object/],
    ];
    for (const [patch, message] of bad) expect(() => applySettingsPatch(DEFAULT_SETTINGS, patch)).toThrow(message);
  });

  const dir = mkdtempSync(join(tmpdir(), 'snitchmap-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('persists to settings.json and survives a corrupt file with a warning', async () => {
    const warnings: string[] = [];
    const store = await openSettingsStore(dir, (message) => warnings.push(message));
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    await store.update({ notifications: { newProcess: true, newCountry: false } });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).notifications.newProcess).toBe(true);
    expect((await openSettingsStore(dir, (message) => warnings.push(message))).get().notifications.newProcess).toBe(true);
    writeFileSync(join(dir, 'settings.json'), '{"home": "nowhere"');
    const recovered = await openSettingsStore(dir, (message) => warnings.push(message));
    expect(recovered.get()).toEqual(DEFAULT_SETTINGS);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ignoring .*settings.json/);
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/a')).toBe('/x/cfg/snitchmap');
    expect(defaultConfigDir({ XDG_CONFIG_HOME: 'relative' }, '/home/a')).toBe('/home/a/.config/snitchmap');
  });
});
