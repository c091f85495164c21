// User-placed networks: JSON arrays of {"cidr", "label", "lat", "lon", "country"?} from --locations
// FILE and <configDir>/locations.json. The longest matching prefix wins over the GeoIP databases, for
// any scope, so an office LAN can be put on the map. The label becomes `geo.city`; the country is the
// entry's `country`, else the database's for that address, else "ZZ" (ISO 3166 "unknown or
// unspecified"): a placed address always has a location, even without a database.
// Messages about a file name its lines and fields, never its content (the CLI may run as root).
import type { GeoInfo } from '../../shared/contract.js';
import { InputFileError, readInputFile } from '../config/input-file.js';
import { countryCode } from '../geo/record.js';
import { cidrContains, parseCidr, parseIp, type Cidr } from '../scope/ip.js';
import { checkedEntries } from './json-lines.js';

export interface CustomLocation {
  cidr: Cidr;
  label: string;
  lat: number;
  lon: number;
  country: string | null;
}

type Json = Record<string, unknown>;

function problemWith(entry: unknown): string | CustomLocation {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'not an object';
  const { cidr, label, lat, lon, country } = entry as Json;
  if (typeof cidr !== 'string') return '"cidr" must be a string such as "198.51.100.0/24"';
  const parsed = parseCidr(cidr);
  if (!parsed) return '"cidr" is not an IPv4 or IPv6 prefix';
  if (typeof label !== 'string' || label.trim() === '') return '"label" must be a non-empty string';
  if (typeof lat !== 'number' || !Number.isFinite(lat) || Math.abs(lat) > 90) return '"lat" must be a number in [-90, 90]';
  if (typeof lon !== 'number' || !Number.isFinite(lon) || Math.abs(lon) > 180) return '"lon" must be a number in [-180, 180]';
  let code: string | null = null;
  if (country !== undefined) {
    code = countryCode(country);
    if (!code) return '"country" must be a two-letter ISO 3166 code';
  }
  return { cidr: parsed, label, lat, lon, country: code };
}

/** Hand-written files are small; anything bigger is not a locations file. */
export const MAX_LOCATIONS_BYTES = 4 * 1024 * 1024;

/** Where JSON.parse stopped, as a line number (its message would quote the text around it). */
function jsonErrorLine(text: string, error: unknown): string {
  const position = /position (\d+)/.exec((error as Error).message)?.[1];
  if (position === undefined) return '';
  return ` (line ${text.slice(0, Number(position)).split('\n').length})`;
}

/**
 * Parses one file's text; bad entries are reported with their line and skipped. A text that is
 * not a JSON array is an InputFileError: nothing in it is usable.
 */
export function parseLocations(text: string, source: string, warn: (message: string) => void): CustomLocation[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputFileError(`${source}: not valid JSON${jsonErrorLine(text, error)}`);
  }
  if (!Array.isArray(document)) {
    throw new InputFileError(`${source}: expected a JSON array of {"cidr", "label", "lat", "lon"} entries`);
  }
  return checkedEntries(document, text, source, problemWith, warn);
}

/**
 * A file named on the command line (`required`) that cannot be used throws InputFileError; the
 * optional config-dir file is a warning (or nothing, when it does not exist).
 */
export function readLocationsFile(path: string, warn: (message: string) => void, required: boolean): CustomLocation[] {
  try {
    return parseLocations(readInputFile(path, 'locations file', MAX_LOCATIONS_BYTES).toString('utf8'), path, warn);
  } catch (error) {
    if (required || !(error instanceof InputFileError)) throw error;
    if (error.code !== 'ENOENT') warn(`${error.message}; no custom locations read from it`);
    return [];
  }
}

export class CustomLocations {
  private readonly entries: CustomLocation[];

  /** Earlier entries win among equal prefixes (pass --locations before the config file). */
  constructor(entries: CustomLocation[]) {
    this.entries = entries
      .map((entry, order) => ({ entry, order }))
      .sort((a, b) => b.entry.cidr.prefix - a.entry.cidr.prefix || a.order - b.order)
      .map(({ entry }) => entry);
  }

  get size(): number {
    return this.entries.length;
  }

  match(ip: string): CustomLocation | null {
    const parsed = parseIp(ip);
    if (!parsed) return null;
    return this.entries.find((entry) => cidrContains(entry.cidr, parsed)) ?? null;
  }

  /** The placed location, taking the country from `databaseGeo` when the entry has none. */
  locate(ip: string, databaseGeo: () => GeoInfo | null): GeoInfo | null {
    const entry = this.match(ip);
    if (!entry) return null;
    return { country: entry.country ?? databaseGeo()?.country ?? 'ZZ', city: entry.label, lat: entry.lat, lon: entry.lon };
  }
}
