// The desktop app's `metrics` setting: validated by both settings stores, off by default, and the
// endpoint follows it (and the capture session) without ever throwing into the session's path.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsStore, applySettingsPatch as cliPatch, DEFAULT_SETTINGS } from '../../../src/cli/settings-store.js';
import type { MetricsSetting } from '../../../src/core/export/metrics/setting.js';
import { SettingExporter } from '../../../src/core/export/metrics/setting-exporter.js';
import { applySettingsPatch as mainPatch } from '../../../src/main/settings-patch.js';
import type { Settings } from '../../../src/shared/api.js';
import { MetricsEngine } from './metrics-engine.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('metrics setting', () => {
  it('is absent (off) by default and validated the same by both stores', () => {
    expect(DEFAULT_SETTINGS.metrics).toBeUndefined();
    for (const patch of [cliPatch, mainPatch] as ((s: Settings, p: unknown) => Settings)[]) {
      expect(patch(DEFAULT_SETTINGS, { metrics: { enabled: true, address: '9464' } }).metrics).toEqual({ enabled: true, address: '9464' });
      expect(() => patch(DEFAULT_SETTINGS, { metrics: { enabled: true, address: 'x:y' } })).toThrow(/metrics.address/);
      expect(() => patch(DEFAULT_SETTINGS, { metrics: { enabled: 'yes', address: '1' } })).toThrow(/metrics.enabled/);
      expect(() => patch(DEFAULT_SETTINGS, { metrics: { enabled: true, address: '1', extra: 1 } })).toThrow(/unknown field/);
    }
  });

  it('survives a save and reload in the CLI store (one settings.json for desktop and serve)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sm-setting-'));
    dirs.push(dir);
    new SettingsStore(dir, () => undefined).update({ metrics: { enabled: true, address: '127.0.0.1:9' } });
    const warnings: string[] = [];
    expect(new SettingsStore(dir, (w) => warnings.push(w)).get().metrics).toEqual({ enabled: true, address: '127.0.0.1:9' });
    expect(warnings).toEqual([]);
  });

  it('serves the session engine while enabled, moves with the session, stops when disabled, and reports a bind failure', async () => {
    let setting: MetricsSetting | undefined = { enabled: true, address: '127.0.0.1:0' };
    const warnings: string[] = [];
    const exporter = new SettingExporter(() => setting, (w) => warnings.push(w));
    const first = new MetricsEngine();
    await exporter.use(first);
    const url = exporter.url();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect((await fetch(url ?? '')).status).toBe(200);
    await exporter.use(new MetricsEngine());
    expect(exporter.url()).not.toBeNull();
    setting = { enabled: false, address: '127.0.0.1:0' };
    await exporter.use(first);
    expect(exporter.url()).toBeNull();
    await expect(fetch(url ?? '')).rejects.toThrow();
    // A port already taken: a warning, no exception.
    const blocker = new SettingExporter(() => ({ enabled: true, address: '127.0.0.1:0' }), () => undefined);
    await blocker.use(first);
    setting = { enabled: true, address: `127.0.0.1:${new URL(blocker.url() ?? '').port}` };
    await exporter.use(first);
    expect(exporter.url()).toBeNull();
    expect(warnings[0]).toMatch(/not started: .*EADDRINUSE/);
    await blocker.use(null);
    setting = undefined;
    await exporter.use(null);
  });
});
