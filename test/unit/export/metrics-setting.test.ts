// The desktop app's `metrics` setting: validated by both settings stores, off by default, and the
// endpoint follows it (and the capture session) without ever throwing into the session's path.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSettingsStore } from '../../../src/core/app/settings-store.js';
import { SettingExporter } from '../../../src/core/export/metrics/setting-exporter.js';
import { applySettingsPatch, DEFAULT_SETTINGS, type Settings } from '../../../src/shared/settings.js';
import { MetricsEngine } from './metrics-engine.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type MetricsSetting = NonNullable<Settings['metrics']>;

describe('metrics setting', () => {
  it('is absent (off) by default and validated by the one settings schema', () => {
    expect(DEFAULT_SETTINGS.metrics).toBeUndefined();
    const patch = applySettingsPatch;
    expect(patch(DEFAULT_SETTINGS, { metrics: { enabled: true, address: '9464' } }).metrics).toEqual({ enabled: true, address: '9464' });
    expect(() => patch(DEFAULT_SETTINGS, { metrics: { enabled: true, address: 'x:y' } })).toThrow(/metrics.address/);
    expect(() => patch(DEFAULT_SETTINGS, { metrics: { enabled: 'yes', address: '1' } })).toThrow(/metrics.enabled/);
    expect(() => patch(DEFAULT_SETTINGS, { metrics: { enabled: true, address: '1', extra: 1 } })).toThrow(/unknown field/);
  });

  it('survives a save and reload in the settings store (one settings.json for desktop and serve)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sm-setting-'));
    dirs.push(dir);
    await openSettingsStore(dir, () => undefined).update({ metrics: { enabled: true, address: '127.0.0.1:9' } });
    const warnings: string[] = [];
    expect(openSettingsStore(dir, (w) => warnings.push(w)).get().metrics).toEqual({ enabled: true, address: '127.0.0.1:9' });
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
