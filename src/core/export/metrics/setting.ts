// The desktop app's `metrics` setting ({enabled, address}, off by default), validated the same way
// by every settings store: a hand-edited file or a renderer patch must not open a port by accident.

import type { Settings } from '../../../shared/api.js';
import { parseListenAddress } from './listen-address.js';

export type MetricsSetting = NonNullable<Settings['metrics']>;

export function validateMetricsSetting(value: unknown): MetricsSetting {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('metrics must be an object');
  const { enabled, address, ...extra } = value as Record<string, unknown>;
  if (Object.keys(extra).length > 0) throw new Error(`metrics: unknown field(s) ${Object.keys(extra).slice(0, 5).join(', ')}`);
  if (typeof enabled !== 'boolean') throw new Error('metrics.enabled must be true or false');
  if (typeof address !== 'string' || address.length > 100) throw new Error('metrics.address must be a string of at most 100 characters');
  try {
    parseListenAddress(address);
  } catch (error) {
    throw new Error(`metrics.address ${(error as Error).message}`, { cause: error });
  }
  return { enabled, address };
}
