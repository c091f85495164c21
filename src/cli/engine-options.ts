// Turns parsed CLI options into EngineOptions plus the capture source, shared by watch and serve.

import type { CaptureSource } from '../core/capture/source.js';
import type { EngineOptions } from '../core/engine-types.js';
import type { CommonOptions } from './args.js';

export function engineOptions(
  options: CommonOptions,
  source: CaptureSource,
  onWarning: (message: string) => void,
): EngineOptions {
  return {
    source,
    onWarning,
    ...(options.geoip !== undefined ? { geoipPath: options.geoip } : {}),
    ...(options.locations !== undefined ? { locationsPath: options.locations } : {}),
    ...(options.home !== undefined ? { home: options.home } : {}),
  };
}
