// The home marker: --home LAT,LON, else `home` in config.json, else guessed from the system time
// zone (TZ, the /etc/localtime symlink, /etc/timezone) and tzdata's zone coordinates. Never online.
// With no usable zone (UTC, or a zone tzdata has no city for) home is Greenwich, labelled as a guess.
import { readFileSync, readlinkSync } from 'node:fs';
import type { Home } from '../../shared/contract.js';
import { loadZoneTable, placeOfZone, type ZoneTable } from './zone-table.js';

export const FALLBACK_HOME: Home = { lat: 51.4779, lon: -0.0015, label: 'Greenwich (no time zone location)' };

export function parseHomeArgument(text: string): Home | null {
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!match) return null;
  return validHome({ lat: Number(match[1]), lon: Number(match[2]) });
}

export function validHome(value: { lat: unknown; lon: unknown; label?: unknown }): Home | null {
  const { lat, lon, label } = value;
  if (typeof lat !== 'number' || typeof lon !== 'number' || !Number.isFinite(lat) || !Number.isFinite(lon)) return null;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return { lat, lon, label: typeof label === 'string' && label !== '' ? label : 'Home' };
}

export interface ZoneSources {
  env?: NodeJS.ProcessEnv;
  localtimePath?: string;
  timezonePath?: string;
}

/** The IANA zone name the system uses, or null. */
export function systemZone(sources: ZoneSources = {}): string | null {
  const tz = (sources.env ?? process.env).TZ;
  if (tz && tz.replace(/^:/, '') !== '') {
    const name = tz.replace(/^:/, '');
    const marker = name.indexOf('zoneinfo/');
    return marker >= 0 ? name.slice(marker + 'zoneinfo/'.length) : name;
  }
  try {
    const target = readlinkSync(sources.localtimePath ?? '/etc/localtime');
    const marker = target.indexOf('zoneinfo/');
    if (marker >= 0) return target.slice(marker + 'zoneinfo/'.length);
  } catch {
    // Not a symlink (a copied file): /etc/timezone names the zone on Debian.
  }
  try {
    const name = readFileSync(sources.timezonePath ?? '/etc/timezone', 'utf8').trim();
    return name === '' ? null : name;
  } catch {
    return null;
  }
}

function cityOfZone(zone: string): string {
  const last = zone.split('/').pop() ?? zone;
  return last.replace(/_/g, ' ');
}

export function guessHome(zone: string | null, table: ZoneTable = loadZoneTable()): Home {
  if (!zone) return FALLBACK_HOME;
  const place = placeOfZone(table, zone);
  if (!place) return FALLBACK_HOME;
  return { lat: place.lat, lon: place.lon, label: `${cityOfZone(zone)} (from time zone ${zone})` };
}
