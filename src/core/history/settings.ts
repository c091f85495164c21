// The `history` section of the settings (src/shared/api.ts), validated the same way by both
// settings stores (desktop and serve): the file may be hand-edited, patches come from a page.

import type { Settings } from '../../shared/api.js';

export type HistorySettings = NonNullable<Settings['history']>;

export const DEFAULT_HISTORY_SETTINGS: HistorySettings = { enabled: true, retentionDays: 30, maxMegabytes: 1024 };

export function validateHistorySettings(value: unknown, base: HistorySettings = DEFAULT_HISTORY_SETTINGS): HistorySettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('history must be an object');
  const extra = Object.keys(value).filter((key) => !['enabled', 'retentionDays', 'maxMegabytes'].includes(key));
  if (extra.length > 0) throw new Error(`history: unknown field(s) ${extra.slice(0, 5).join(', ')}`);
  const merged = { ...base, ...(value as Partial<HistorySettings>) };
  if (typeof merged.enabled !== 'boolean') throw new Error('history.enabled must be true or false');
  const whole = (n: unknown, field: string, min: number, max: number): number => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw new Error(`history.${field} must be a whole number from ${min} to ${max}`);
    return n;
  };
  return {
    enabled: merged.enabled,
    retentionDays: whole(merged.retentionDays, 'retentionDays', 1, 3650),
    maxMegabytes: whole(merged.maxMegabytes, 'maxMegabytes', 16, 1024 * 1024),
  };
}
