// <configDir>/config.json: settings that the command line can also give. Today only the home marker:
// {"home": {"lat": 48.85, "lon": 2.35, "label": "Paris office"}}. A missing file is normal; a
// broken one is reported and ignored.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Home } from '../../shared/contract.js';
import { validHome } from '../home/home.js';

export interface ConfigFile {
  home: Home | null;
}

export function readConfigFile(configDir: string, warn: (message: string) => void): ConfigFile {
  const path = join(configDir, 'config.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`cannot read ${path}: ${(error as Error).message}`);
    return { home: null };
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    warn(`${path}: not valid JSON (${(error as Error).message}); ignored`);
    return { home: null };
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    warn(`${path}: expected a JSON object; ignored`);
    return { home: null };
  }
  const home = (document as { home?: unknown }).home;
  if (home === undefined) return { home: null };
  const valid = typeof home === 'object' && home !== null ? validHome(home as { lat: unknown; lon: unknown; label?: unknown }) : null;
  if (!valid) warn(`${path}: "home" must be {"lat": -90..90, "lon": -180..180, "label"?: text}; ignored`);
  return { home: valid };
}
