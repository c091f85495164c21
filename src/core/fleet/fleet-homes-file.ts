// `serve --fleet URL --fleet-homes FILE`: where the fleet's hosts are, kept by whoever runs the
// fleet map. A JSON array of {"instance", "label", "lat", "lon"} (locations.json's shape with an
// `instance` for the `cidr`). An entry names an instance exactly ("web1:9464") or its host part
// ("web1", any port); the exact name wins. Bad entries are reported by line and skipped; a file
// that cannot be used at all is an InputFileError (serve exits 1), as --locations is.

import type { Home } from '../../shared/contract.js';
import { InputFileError, readInputFile } from '../config/input-file.js';
import { checkedEntries } from '../locations/json-lines.js';
import { MAX_LOCATIONS_BYTES } from '../locations/custom-locations.js';

export interface FleetHomeEntry {
  instance: string;
  home: Home;
}

function checked(entry: unknown): string | FleetHomeEntry {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'not an object';
  const { instance, label, lat, lon } = entry as Record<string, unknown>;
  if (typeof instance !== 'string' || instance.trim() === '') return '"instance" must be a non-empty string such as "web1:9464" or "web1"';
  if (typeof label !== 'string' || label.trim() === '') return '"label" must be a non-empty string';
  if (typeof lat !== 'number' || !Number.isFinite(lat) || Math.abs(lat) > 90) return '"lat" must be a number in [-90, 90]';
  if (typeof lon !== 'number' || !Number.isFinite(lon) || Math.abs(lon) > 180) return '"lon" must be a number in [-180, 180]';
  return { instance: instance.trim(), home: { lat, lon, label: label.trim() } };
}

export function parseFleetHomes(text: string, source: string, warn: (message: string) => void): FleetHomeEntry[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new InputFileError(`${source}: not valid JSON`);
  }
  if (!Array.isArray(document)) throw new InputFileError(`${source}: expected a JSON array of {"instance", "label", "lat", "lon"} entries`);
  return checkedEntries(document, text, source, checked, warn);
}

export function readFleetHomesFile(path: string, warn: (message: string) => void): FleetHomeEntry[] {
  return parseFleetHomes(readInputFile(path, 'fleet homes file', MAX_LOCATIONS_BYTES).toString('utf8'), path, warn);
}

/** "web1:9464" → "web1", "[2001:db8::1]:9464" → "[2001:db8::1]"; an instance without a port is itself. */
export function instanceHost(instance: string): string {
  return instance.replace(/:\d+$/, '');
}

export class FleetHomes {
  private readonly byName = new Map<string, Home>();

  /** Earlier entries win over later ones for the same name. */
  constructor(entries: FleetHomeEntry[]) {
    for (const { instance, home } of entries) if (!this.byName.has(instance)) this.byName.set(instance, home);
  }

  get size(): number {
    return this.byName.size;
  }

  homeOf(instance: string): Home | null {
    return this.byName.get(instance) ?? this.byName.get(instanceHost(instance)) ?? null;
  }
}
