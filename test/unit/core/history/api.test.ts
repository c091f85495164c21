// getHistory/getTimeline arguments come from a page: each is checked before the store sees it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHistoryApi } from '../../../../src/core/history/api.js';
import { disabledHistory, openHistory } from '../../../../src/core/history/history.js';
import { validateHistorySettings } from '../../../../src/core/history/settings.js';
import { applySettingsPatch, DEFAULT_SETTINGS } from '../../../../src/shared/settings.js';
import { connection, FakeEngine } from './fake-engine.js';

const dir = mkdtempSync(join(tmpdir(), 'sm-history-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('history API', () => {
  const T0 = Date.UTC(2026, 0, 1);
  const history = openHistory({ file: join(dir, 'h.sqlite'), now: () => T0 });
  const engine = new FakeEngine();
  history.attach(engine);
  engine.send(connection({ id: 'a', ts: T0, txBytes: 5 }));
  const api = createHistoryApi(() => history);

  it('answers valid windows and timelines', async () => {
    const result = await api.getHistory({ from: T0 - 1000, to: T0 + 1000 });
    expect(result.enabled).toBe(true);
    expect(result.connections.map((c) => c.id)).toEqual(['a']);
    expect((await api.getHistory({ from: T0 - 1000, to: T0 + 1000 }, { country: 'de' })).connections).toEqual([]);
    const timeline = await api.getTimeline({ from: T0 - 3_600_000, to: T0 + 3_600_000, stepMs: 60_000 });
    expect(timeline.bins).toEqual([{ t: T0, txBytes: 5, rxBytes: 0, opened: 1 }]);
  });

  it('refuses malformed arguments with a message', async () => {
    for (const bad of [null, 'x', [], { from: 'a', to: 1 }, { from: 5, to: 1 }, { from: -1, to: 1 }, { from: 0, to: 1e20 }]) {
      await expect(api.getHistory(bad)).rejects.toThrow(/window/);
    }
    await expect(api.getHistory({ from: 0, to: 1 }, { process: 'x'.repeat(100) })).rejects.toThrow(/filter.process/);
    await expect(api.getHistory({ from: 0, to: 1 }, { country: '<b>' })).rejects.toThrow(/filter.country/);
    await expect(api.getHistory({ from: 0, to: 1 }, { limit: 0 })).rejects.toThrow(/filter.limit/);
    await expect(api.getTimeline({ from: 0, to: 1, stepMs: 1 })).rejects.toThrow(/stepMs/);
    await expect(api.getTimeline({ from: 0, to: 86_400_000 * 30, stepMs: 60_000 })).rejects.toThrow(/at most 5000 bins/);
  });

  it('a disabled history answers with its notice', async () => {
    const off = createHistoryApi(() => disabledHistory(null, 'history is off'));
    expect(await off.getHistory({ from: 0, to: 1 })).toMatchObject({ enabled: false, connections: [], notice: 'history is off' });
  });

  it('the settings section is validated the same way by both settings stores', () => {
    expect(validateHistorySettings({ retentionDays: 7 })).toEqual({ enabled: true, retentionDays: 7, maxMegabytes: 1024 });
    expect(() => validateHistorySettings({ retentionDays: 0 })).toThrow(/retentionDays/);
    expect(() => validateHistorySettings({ maxMegabytes: 1.5 })).toThrow(/maxMegabytes/);
    expect(() => validateHistorySettings({ path: '/etc/passwd' })).toThrow(/unknown field/);
    expect(applySettingsPatch(DEFAULT_SETTINGS, { history: { enabled: false } }).history).toEqual({ enabled: false, retentionDays: 30, maxMegabytes: 1024 });
    expect(applySettingsPatch(DEFAULT_SETTINGS, { history: { maxMegabytes: 64 } }).history).toEqual({ enabled: true, retentionDays: 30, maxMegabytes: 64 });
    expect(() => applySettingsPatch(DEFAULT_SETTINGS, { history: { enabled: 'yes' } })).toThrow(/history.enabled/);
  });
});
